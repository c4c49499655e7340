package demo

import (
	"context"
	"strings"
	"testing"
)

func TestRunShowsTheBreakerLifecycle(t *testing.T) {
	var out strings.Builder
	if err := Run(context.Background(), &out); err != nil {
		t.Fatal(err)
	}
	s := out.String()
	for _, want := range []string{
		"closed -> open (failure rate",
		"[fallback path because the breaker is open (no call made)]",
		"half_open -> open (trial call failed)",
		"half_open -> closed (1 successful trial call(s))",
		`flywheel_breaker_state{breaker="llama/qwen2.5-coder-7b",state="closed"} 1`,
	} {
		if !strings.Contains(s, want) {
			t.Errorf("demo output lacks %q:\n%s", want, s)
		}
	}
	if last := s[strings.LastIndex(s, "30 s later, the model is loaded"):]; !strings.Contains(last, "from the local model") {
		t.Errorf("the local model should answer again once loaded:\n%s", last)
	}
}
