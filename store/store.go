package store

import (
	"context"
	"errors"
	"time"
)

// ErrNotFound is returned for an id the store does not hold.
var ErrNotFound = errors.New("not found")

// Store is where inferences and feedback are kept. Implementations are
// safe for concurrent use.
type Store interface {
	// WriteInferences writes a batch in one transaction: all or none. An
	// inference whose id is already stored is skipped. A batch holding a
	// row the store cannot keep (one CheckInference refuses, or a value
	// the database refuses) fails with an error matching ErrRejected.
	WriteInferences(ctx context.Context, batch []Inference) error
	// WriteFeedback writes f durably before it returns. When
	// f.IdempotencyKey is already stored on the same target (f's inference,
	// or f's episode) it writes nothing and returns the stored feedback
	// with created false; a key is scoped to its target, so the same key
	// on another inference or episode is new feedback. A field over its
	// limit (CheckFeedback) fails with an error matching ErrRejected.
	WriteFeedback(ctx context.Context, f Feedback) (stored Feedback, created bool, err error)
	// Inference returns one inference, or ErrNotFound.
	Inference(ctx context.Context, id string) (Inference, error)
	// Inferences lists inferences, newest first.
	Inferences(ctx context.Context, q InferenceQuery) (InferencePage, error)
	// Feedback lists feedback, newest first.
	Feedback(ctx context.Context, q FeedbackQuery) (FeedbackPage, error)
	// HasEpisode reports whether any stored inference belongs to episode.
	HasEpisode(ctx context.Context, episode string) (bool, error)
	// Prune deletes up to limit inferences that started before before, and
	// returns how many it deleted. Feedback is kept.
	Prune(ctx context.Context, before time.Time, limit int) (int, error)
	// Counts returns how many inferences and feedback the store holds.
	Counts(ctx context.Context) (Counts, error)
	// Ping checks that the store can be reached.
	Ping(ctx context.Context) error
	// Location describes where the data is, without secrets: a file path
	// or a PostgreSQL host and database.
	Location() string
	// Close releases the store's connections.
	Close() error
}

// ParallelWriter is implemented by a Store that writes several inference
// batches at once (each in its own transaction) faster than one after the
// other. The telemetry writer keeps up to ParallelWrites batches in flight;
// for a store without it, one.
type ParallelWriter interface {
	// ParallelWrites is how many batches to write at once, at least 1.
	ParallelWrites() int
}

// Counts are the sizes of a store's tables.
type Counts struct {
	// Inferences is the number of inference records.
	Inferences int64 `json:"inferences"`
	// Feedback is the number of feedback records.
	Feedback int64 `json:"feedback"`
}
