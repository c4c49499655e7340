package postgres

import (
	"context"
	"errors"
	"fmt"

	"github.com/flywheel-stack/flywheel/store"
	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
)

var inferenceColumns = []string{"id", "episode_id", "user_id", "endpoint", "route", "backend", "model", "attempts",
	"fallback_depth", "stream", "degraded", "status", "http_status", "error_class", "start_time", "end_time",
	"latency_us", "ttft_us", "tokens_in", "tokens_out", "tokens_per_second", "request", "response"}

// uniqueViolation is PostgreSQL's SQLSTATE for a duplicate key.
const uniqueViolation = "23505"

// inferenceRows feeds a batch to COPY without building it in memory twice.
type inferenceRows struct {
	batch []store.Inference
	i     int
	row   []any
	err   error
}

func (r *inferenceRows) Next() bool {
	r.i++
	return r.i <= len(r.batch) && r.err == nil
}

func (r *inferenceRows) Values() ([]any, error) {
	in := &r.batch[r.i-1]
	id, err := uuid.Parse(in.ID)
	if err != nil {
		r.err = fmt.Errorf("inference id %q: %w", in.ID, err)
		return nil, r.err
	}
	r.row = append(r.row[:0], [16]byte(id), in.EpisodeID, in.User, in.Endpoint, in.Route, in.Backend, in.Model,
		int32(in.Attempts), int32(in.FallbackDepth), in.Stream, in.Degraded, in.Status, int32(in.HTTPStatus),
		in.ErrorClass, in.Start, in.End, in.Latency.Microseconds(), in.TimeToFirstToken.Microseconds(),
		int32(in.TokensIn), int32(in.TokensOut), in.TokensPerSecond, in.Request, in.Response)
	return r.row, nil
}

func (r *inferenceRows) Err() error { return r.err }

// telemetryTx begins an inference batch's transaction, in the same round
// trip: its commit does not wait for the WAL flush. PostgreSQL stays
// consistent after a crash of its server; what such a crash may lose is
// the batches committed in the last moments before it (at most three times
// wal_writer_delay: 600 ms by default). Feedback never runs in such a transaction: its commit waits for the
// flush, as the 200 promises.
var telemetryTx = pgx.TxOptions{BeginQuery: "BEGIN; SET LOCAL synchronous_commit = off"}

// parallelWrites is how many batches the telemetry writer should write at
// once: on separate connections, the server's insert work for one batch
// overlaps another's transfer and commit.
const parallelWrites = 2

// ParallelWrites implements store.ParallelWriter.
func (s *Store) ParallelWrites() int { return parallelWrites }

// WriteInferences writes batch with COPY in one transaction whose commit
// does not wait for the WAL flush (see telemetryTx). If the batch holds an
// id already stored (a batch retried after its commit was not
// acknowledged), it is written again through a temporary table that skips
// the duplicates.
func (s *Store) WriteInferences(ctx context.Context, batch []store.Inference) error {
	if len(batch) == 0 {
		return nil
	}
	for i := range batch {
		if err := store.CheckInference(&batch[i]); err != nil {
			return fmt.Errorf("%s: %w", s.location, err)
		}
	}
	if err := s.ready(ctx); err != nil {
		return err
	}
	err := pgx.BeginTxFunc(ctx, s.pool, telemetryTx, func(tx pgx.Tx) error {
		_, err := tx.CopyFrom(ctx, pgx.Identifier{"inferences"}, inferenceColumns, &inferenceRows{batch: batch})
		return err
	})
	var pgErr *pgconn.PgError
	if errors.As(err, &pgErr) && pgErr.Code == uniqueViolation {
		return s.writeSkippingDuplicates(ctx, batch)
	}
	if err != nil {
		return s.wrap("copy inferences", err)
	}
	return nil
}

func (s *Store) writeSkippingDuplicates(ctx context.Context, batch []store.Inference) error {
	err := pgx.BeginTxFunc(ctx, s.pool, telemetryTx, func(tx pgx.Tx) error {
		if _, err := tx.Exec(ctx, `CREATE TEMPORARY TABLE inferences_incoming (LIKE inferences) ON COMMIT DROP`); err != nil {
			return err
		}
		if _, err := tx.CopyFrom(ctx, pgx.Identifier{"inferences_incoming"}, inferenceColumns, &inferenceRows{batch: batch}); err != nil {
			return err
		}
		_, err := tx.Exec(ctx, `INSERT INTO inferences SELECT * FROM inferences_incoming ON CONFLICT (id) DO NOTHING`)
		return err
	})
	if err != nil {
		return s.wrap("insert inferences", err)
	}
	return nil
}

// WriteFeedback writes f; it is committed when WriteFeedback returns. A
// key already stored on the same inference or episode (either partial
// unique index; ON CONFLICT without a target covers both) writes nothing
// and returns the stored feedback.
func (s *Store) WriteFeedback(ctx context.Context, f store.Feedback) (store.Feedback, bool, error) {
	if err := s.ready(ctx); err != nil {
		return store.Feedback{}, false, err
	}
	if err := store.CheckFeedback(&f); err != nil {
		return store.Feedback{}, false, fmt.Errorf("%s: %w", s.location, err)
	}
	id, err := uuid.Parse(f.ID)
	if err != nil {
		return store.Feedback{}, false, fmt.Errorf("feedback id %q: %w", f.ID, err)
	}
	var inference *[16]byte
	if f.InferenceID != "" {
		in, err := uuid.Parse(f.InferenceID)
		if err != nil {
			return store.Feedback{}, false, fmt.Errorf("inference id %q: %w", f.InferenceID, err)
		}
		b := [16]byte(in)
		inference = &b
	}
	var key *string
	if f.IdempotencyKey != "" {
		key = &f.IdempotencyKey
	}
	tag, err := s.pool.Exec(ctx, `INSERT INTO feedback (id, inference_id, episode_id, metric, kind, value, text,
		comment, demonstration, idempotency_key, created) VALUES ($1,$2,$3,$4,$5,$6,$7,$8,$9,$10,$11)
		ON CONFLICT DO NOTHING`,
		[16]byte(id), inference, f.EpisodeID, f.Metric, f.Kind, f.Value, f.Text, f.Comment, f.Demonstration, key, f.Created)
	if err != nil {
		return store.Feedback{}, false, s.wrap("insert feedback", err)
	}
	if tag.RowsAffected() == 1 {
		return f, true, nil
	}
	list, err := s.feedbackWhere(ctx, store.IdempotencyWhere(f), 1)
	if err != nil {
		return store.Feedback{}, false, err
	}
	if len(list) == 0 {
		return store.Feedback{}, false, errors.New("postgres store: feedback was neither written nor found")
	}
	return list[0], false, nil
}
