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
		"re-indexing (503, retried)   -> [doc-17: breaker doc-4] via primary path, 2 attempt(s)",
		"breaker knowledge-db: closed -> open",
		"via fallback path",
		"0 request(s) reached the database",
		"breaker state: open",
	} {
		if !strings.Contains(s, want) {
			t.Errorf("output lacks %q:\n%s", want, s)
		}
	}
}
