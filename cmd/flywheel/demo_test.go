package main

import (
	"bytes"
	"context"
	"strings"
	"testing"
)

// execDemo runs `flywheel demo` with args and returns its stdout and error.
func execDemo(t *testing.T, args ...string) (string, error) {
	t.Helper()
	cmd := newRootCommand()
	var out, errOut bytes.Buffer
	cmd.SetOut(&out)
	cmd.SetErr(&errOut)
	cmd.SetArgs(append([]string{"demo"}, args...))
	err := cmd.ExecuteContext(context.Background())
	return out.String(), err
}

func TestDemoCommand(t *testing.T) {
	out, err := execDemo(t, "--duration", "1s", "--rate", "15")
	if err != nil {
		t.Fatalf("flywheel demo: %v\n%s", err, out)
	}
	// Not a terminal: plain lines, no bar.
	for _, want := range []string{"Flywheel demo", "local-fast goes down", "Summary:", "success rate", "first token"} {
		if !strings.Contains(out, want) {
			t.Errorf("output lacks %q:\n%s", want, out)
		}
	}
	if strings.Contains(out, "\033[K") {
		t.Errorf("a bar drawn on a buffer:\n%s", out)
	}
}

func TestDemoCommandRejectsBadFlags(t *testing.T) {
	for _, args := range [][]string{{"--duration", "10ms"}, {"--rate", "0"}, {"--rate", "1e6"}, {"extra"}} {
		if _, err := execDemo(t, args...); err == nil {
			t.Errorf("flywheel demo %v: accepted", args)
		}
	}
}
