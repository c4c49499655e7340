package config

import (
	"fmt"
	"strings"
	"testing"

	"github.com/google/uuid"
)

// TestCaptureDecide checks the one decision of what an inference keeps.
func TestCaptureDecide(t *testing.T) {
	t.Parallel()
	all := DefaultCapture()
	if got := all.Decide("inf-1"); got != (Kept{Prompt: true, Response: true}) {
		t.Errorf("defaults keep %+v, want both", got)
	}
	onlyAnswers := Capture{Responses: true, SampleRate: 1}
	if got := onlyAnswers.Decide("inf-1"); got != (Kept{Response: true}) || !got.Any() {
		t.Errorf("responses only keep %+v", got)
	}
	if got := (Capture{SampleRate: 1}).Decide("inf-1"); got.Any() {
		t.Errorf("nothing to keep kept %+v", got)
	}
	if got := (Capture{Prompts: true, Responses: true, SampleRate: 0}).Decide("inf-1"); got.Any() {
		t.Errorf("sample_rate 0 kept %+v", got)
	}
	// A rate keeps about that share of inference ids (UUIDs), the same
	// ids every time.
	half := Capture{Prompts: true, Responses: true, SampleRate: 0.5}
	kept := 0
	for i := range 2000 {
		id := uuid.NewSHA1(uuid.NameSpaceOID, fmt.Append(nil, i)).String()
		k := half.Decide(id)
		if k != half.Decide(id) {
			t.Fatalf("Decide(%s) is not stable", id)
		}
		if k.Any() {
			kept++
		}
	}
	if kept < 800 || kept > 1200 {
		t.Errorf("sample_rate 0.5 kept %d of 2000", kept)
	}
}

func TestCaptureStoredUser(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		mode UserMode
		user string
		want func(string) bool
	}{
		{UserPlain, "alice", func(s string) bool { return s == "alice" }},
		{UserNone, "alice", func(s string) bool { return s == "" }},
		{UserHashed, "alice", func(s string) bool { return s == HashUser("alice") && strings.HasPrefix(s, "sha256:") && len(s) == 39 }},
		{UserHashed, "", func(s string) bool { return s == "" }},
	} {
		if got := (Capture{User: tc.mode}).StoredUser(tc.user); !tc.want(got) {
			t.Errorf("%s: StoredUser(%q) = %q", tc.mode, tc.user, got)
		}
	}
	if HashUser("alice") == HashUser("bob") {
		t.Error("two users share a hash")
	}
}
