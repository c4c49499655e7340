package store

import (
	"errors"
	"fmt"
	"unicode/utf8"

	"github.com/google/uuid"
)

// Limits on the strings a client supplies that a store keeps, in bytes.
// They are the one place these lengths are decided: the telemetry writer
// cuts an inference's client strings to them (the client already has its
// answer), the feedback endpoint refuses a longer field with a 400, and
// both drivers refuse a row over them with ErrRejected. An indexed column
// must stay well under PostgreSQL's B-tree entry limit (about 2.7 KB).
const (
	// MaxEpisodeID bounds an episode id (the X-Flywheel-Episode-Id header,
	// a feedback's episode_id).
	MaxEpisodeID = 256
	// MaxUser bounds a user (the OpenAI user field or X-Flywheel-User).
	MaxUser = 256
	// MaxIdempotencyKey bounds a feedback's idempotency_key.
	MaxIdempotencyKey = 256
	// MaxMetric bounds a feedback's metric name.
	MaxMetric = 256
	// MaxComment bounds a feedback's comment.
	MaxComment = 64 << 10
	// MaxText bounds a feedback's text (the value of a comment or
	// demonstration metric) and its demonstration.
	MaxText = 512 << 10
)

// ErrRejected marks a write the store refused because of a row's content
// (a field over its limit, an id that is not a UUID, a value the database
// refuses), as opposed to a store that failed or could not be reached. The
// same rows would be refused again; the other rows of the batch would not.
var ErrRejected = errors.New("row rejected")

// LimitError is a field over its limit. It matches ErrRejected.
type LimitError struct {
	// Field is the JSON name of the field.
	Field string
	// Len is the field's length and Max its limit, in bytes.
	Len, Max int
}

func (e *LimitError) Error() string {
	return fmt.Sprintf("%s is %d bytes, over the limit of %d", e.Field, e.Len, e.Max)
}

// Is makes a LimitError match ErrRejected.
func (e *LimitError) Is(target error) bool { return target == ErrRejected }

// Truncate returns s cut to at most n bytes, at a UTF-8 character
// boundary.
func Truncate(s string, n int) string {
	if len(s) <= n {
		return s
	}
	for n > 0 && !utf8.RuneStart(s[n]) {
		n--
	}
	return s[:n]
}

// FitInference cuts the client-supplied strings of in (episode id and
// user) to their limits.
func FitInference(in *Inference) {
	in.EpisodeID = Truncate(in.EpisodeID, MaxEpisodeID)
	in.User = Truncate(in.User, MaxUser)
}

// CheckInference returns an error matching ErrRejected when in cannot be
// stored: its id is not a UUID, or a client string is over its limit.
// Drivers call it on every row before writing.
func CheckInference(in *Inference) error {
	if _, err := uuid.Parse(in.ID); err != nil {
		return fmt.Errorf("inference id %q is not a UUID: %w", Truncate(in.ID, 64), ErrRejected)
	}
	return firstOver(
		limit{"episode_id", in.EpisodeID, MaxEpisodeID},
		limit{"user", in.User, MaxUser},
	)
}

// CheckFeedback returns a *LimitError when a field of f is over its limit.
func CheckFeedback(f *Feedback) error {
	return firstOver(
		limit{"episode_id", f.EpisodeID, MaxEpisodeID},
		limit{"metric", f.Metric, MaxMetric},
		limit{"idempotency_key", f.IdempotencyKey, MaxIdempotencyKey},
		limit{"comment", f.Comment, MaxComment},
		limit{"value", f.Text, MaxText},
		limit{"demonstration", f.Demonstration, MaxText},
	)
}

type limit struct {
	field, value string
	max          int
}

func firstOver(limits ...limit) error {
	for _, l := range limits {
		if len(l.value) > l.max {
			return &LimitError{Field: l.field, Len: len(l.value), Max: l.max}
		}
	}
	return nil
}
