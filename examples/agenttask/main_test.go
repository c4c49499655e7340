package main

import (
	"strings"
	"testing"
)

func TestRun(t *testing.T) {
	var out strings.Builder
	if err := run(&out); err != nil {
		t.Fatal(err)
	}
	s := out.String()
	for _, want := range []string{
		"task-a     -> task-1 [primary path, 1 attempt(s)]",
		"task-b     -> task-2 (replayed: the retry found the task the lost response had created) [primary path, 2 attempt(s)]",
		"breaker agent-tasks: closed -> open (3 consecutive failures)",
		"task-d     -> queued locally (#2) until the service is back [fallback path, 1 attempt(s), because the breaker is open]",
		"tasks the service created: 2 (for 2 keys sent)",
	} {
		if !strings.Contains(s, want) {
			t.Errorf("output lacks %q:\n%s", want, s)
		}
	}
}
