package store

import (
	"errors"
	"strings"
	"testing"
	"unicode/utf8"
)

func TestTruncateKeepsWholeCharacters(t *testing.T) {
	t.Parallel()
	cases := []struct {
		s    string
		n    int
		want string
	}{
		{"short", 10, "short"},
		{"exactly", 7, "exactly"},
		{"abcdef", 3, "abc"},
		{"aé", 2, "a"},   // é is 2 bytes: not cut in half
		{"a😀", 4, "a"},   // 4-byte rune
		{"a😀b", 5, "a😀"}, // boundary right after the rune
		{"😀", 0, ""},
	}
	for _, tc := range cases {
		got := Truncate(tc.s, tc.n)
		if got != tc.want || !utf8.ValidString(got) {
			t.Errorf("Truncate(%q, %d) = %q, want %q", tc.s, tc.n, got, tc.want)
		}
	}
}

func TestFitInferenceCutsClientStrings(t *testing.T) {
	t.Parallel()
	in := Inference{ID: "0190a1b2-0000-7000-8000-000000000001", EpisodeID: strings.Repeat("é", 20000),
		User: strings.Repeat("u", 900<<10), Route: "chat"}
	FitInference(&in)
	if len(in.EpisodeID) > MaxEpisodeID || len(in.EpisodeID) < MaxEpisodeID-1 || !utf8.ValidString(in.EpisodeID) {
		t.Errorf("episode id is %d bytes (valid UTF-8 %v), want at most %d", len(in.EpisodeID), utf8.ValidString(in.EpisodeID), MaxEpisodeID)
	}
	if len(in.User) != MaxUser {
		t.Errorf("user is %d bytes, want %d", len(in.User), MaxUser)
	}
	if err := CheckInference(&in); err != nil {
		t.Errorf("CheckInference after FitInference: %v", err)
	}
}

func TestCheckInferenceRejects(t *testing.T) {
	t.Parallel()
	good := Inference{ID: "0190a1b2-0000-7000-8000-000000000001", EpisodeID: "ep", User: "alice"}
	cases := []struct {
		name   string
		change func(*Inference)
	}{
		{"id not a uuid", func(in *Inference) { in.ID = "not-a-uuid" }},
		{"long episode", func(in *Inference) { in.EpisodeID = strings.Repeat("e", MaxEpisodeID+1) }},
		{"long user", func(in *Inference) { in.User = strings.Repeat("u", MaxUser+1) }},
	}
	if err := CheckInference(&good); err != nil {
		t.Fatalf("CheckInference(good) = %v", err)
	}
	for _, tc := range cases {
		in := good
		tc.change(&in)
		if err := CheckInference(&in); !errors.Is(err, ErrRejected) {
			t.Errorf("%s: CheckInference = %v, want ErrRejected", tc.name, err)
		}
	}
}

func TestCheckFeedbackNamesTheField(t *testing.T) {
	t.Parallel()
	cases := []struct {
		field  string
		change func(*Feedback)
	}{
		{"episode_id", func(f *Feedback) { f.EpisodeID = strings.Repeat("e", MaxEpisodeID+1) }},
		{"idempotency_key", func(f *Feedback) { f.IdempotencyKey = strings.Repeat("k", MaxIdempotencyKey+1) }},
		{"comment", func(f *Feedback) { f.Comment = strings.Repeat("c", MaxComment+1) }},
		{"value", func(f *Feedback) { f.Text = strings.Repeat("t", MaxText+1) }},
		{"demonstration", func(f *Feedback) { f.Demonstration = strings.Repeat("d", MaxText+1) }},
	}
	ok := Feedback{EpisodeID: strings.Repeat("e", MaxEpisodeID), Metric: "m", Comment: strings.Repeat("c", MaxComment)}
	if err := CheckFeedback(&ok); err != nil {
		t.Fatalf("CheckFeedback at the limits = %v", err)
	}
	for _, tc := range cases {
		f := ok
		tc.change(&f)
		var le *LimitError
		if err := CheckFeedback(&f); !errors.As(err, &le) || le.Field != tc.field || !errors.Is(err, ErrRejected) {
			t.Errorf("CheckFeedback(long %s) = %v, want a LimitError naming it", tc.field, err)
		}
	}
}
