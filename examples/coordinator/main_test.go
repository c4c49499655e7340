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
		"both up                            -> llama.cpp answered",
		"local loading a model, request 1   -> remote answered",
		"breaker llama.cpp: closed -> open",
		"llama.cpp failed: breaker open, not called",
		"breaker remote: closed -> open (dependency asked to retry after",
		"remote still held open                remote failed: breaker open, not called",
		"-> degraded: The assistant is degraded",
		"breaker llama.cpp: open",
	} {
		if !strings.Contains(s, want) {
			t.Errorf("output lacks %q:\n%s", want, s)
		}
	}
}
