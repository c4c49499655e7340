package sqlite

import (
	"context"
	"database/sql"
	"database/sql/driver"
	"errors"
	"fmt"
	"strings"

	"github.com/flywheel-stack/flywheel/store"
)

// inferenceColumns is the column order of an inference row.
const inferenceColumns = `id, episode_id, user_id, endpoint, route, backend, model, attempts, fallback_depth, stream,
	degraded, status, http_status, error_class, start_us, end_us, latency_us, ttft_us, tokens_in, tokens_out,
	tokens_per_second, request, response`

const inferenceColumnCount = 23

// rowsPerInsert is how many rows one INSERT carries: fewer statements per
// batch, under SQLite's limit of 32766 parameters.
const rowsPerInsert = 128

func insertSQL(rows int) string {
	var b strings.Builder
	b.WriteString("INSERT INTO inferences (" + inferenceColumns + ") VALUES ")
	row := "(?" + strings.Repeat(",?", inferenceColumnCount-1) + ")"
	for i := range rows {
		if i > 0 {
			b.WriteByte(',')
		}
		b.WriteString(row)
	}
	b.WriteString(" ON CONFLICT (id) DO NOTHING")
	return b.String()
}

func appendInferenceArgs(args []any, in *store.Inference) []any {
	return append(args, in.ID, in.EpisodeID, in.User, in.Endpoint, in.Route, in.Backend, in.Model, in.Attempts,
		in.FallbackDepth, boolInt(in.Stream), boolInt(in.Degraded), in.Status, in.HTTPStatus, in.ErrorClass,
		micros(in.Start), micros(in.End), durMicros(in.Latency), durMicros(in.TimeToFirstToken), in.TokensIn,
		in.TokensOut, in.TokensPerSecond, in.Request, in.Response)
}

// WriteInferences writes batch in one transaction, committed with
// synchronous=NORMAL: the commit survives a crash of the process at once,
// and a power loss once the next synchronous=FULL commit (any feedback) or
// checkpoint has synced the WAL. Then it asks for a checkpoint, which runs
// on its own connection.
func (s *Store) WriteInferences(ctx context.Context, batch []store.Inference) error {
	if len(batch) == 0 {
		return nil
	}
	if err := s.checkBatch(batch); err != nil {
		return err
	}
	conn, err := s.writer.Conn(ctx)
	if err != nil {
		return fmt.Errorf("sqlite store %s: writer connection: %w", s.path, err)
	}
	defer conn.Close()
	if _, err := conn.ExecContext(ctx, "PRAGMA synchronous = NORMAL"); err != nil {
		return fmt.Errorf("sqlite store %s: synchronous: %w", s.path, err)
	}
	err = s.insertInferences(ctx, conn, batch)
	// Back to FULL before the connection serves anything else (feedback).
	// Should that fail, the connection is discarded and the next one opens
	// with the DSN's FULL.
	if _, rerr := conn.ExecContext(context.WithoutCancel(ctx), "PRAGMA synchronous = FULL"); rerr != nil {
		_ = conn.Raw(func(any) error { return driver.ErrBadConn })
	}
	if err == nil {
		s.checkpoint.request()
	}
	return err
}

// insertInferences writes batch in one transaction on conn.
func (s *Store) insertInferences(ctx context.Context, conn *sql.Conn, batch []store.Inference) (err error) {
	tx, err := conn.BeginTx(ctx, nil)
	if err != nil {
		return fmt.Errorf("sqlite store %s: begin: %w", s.path, err)
	}
	defer func() {
		if err != nil {
			_ = tx.Rollback()
		}
	}()
	var full *sql.Stmt
	args := make([]any, 0, rowsPerInsert*inferenceColumnCount)
	for start := 0; start < len(batch); start += rowsPerInsert {
		chunk := batch[start:min(start+rowsPerInsert, len(batch))]
		args = args[:0]
		for i := range chunk {
			args = appendInferenceArgs(args, &chunk[i])
		}
		if len(chunk) == rowsPerInsert {
			if full == nil {
				if full, err = tx.PrepareContext(ctx, insertSQL(rowsPerInsert)); err != nil {
					return fmt.Errorf("sqlite store %s: prepare: %w", s.path, err)
				}
				defer full.Close()
			}
			_, err = full.ExecContext(ctx, args...)
		} else {
			_, err = tx.ExecContext(ctx, insertSQL(len(chunk)), args...)
		}
		if err != nil {
			return fmt.Errorf("sqlite store %s: insert inferences: %w", s.path, markRejected(err))
		}
	}
	if err = tx.Commit(); err != nil {
		return fmt.Errorf("sqlite store %s: commit: %w", s.path, err)
	}
	return nil
}

// WriteFeedback writes f and commits before it returns. A key already
// stored on the same inference or episode writes nothing and returns the
// stored feedback.
func (s *Store) WriteFeedback(ctx context.Context, f store.Feedback) (store.Feedback, bool, error) {
	if err := store.CheckFeedback(&f); err != nil {
		return store.Feedback{}, false, fmt.Errorf("sqlite store %s: %w", s.path, err)
	}
	var key any
	if f.IdempotencyKey != "" {
		key = f.IdempotencyKey
	}
	res, err := s.writer.ExecContext(ctx, `INSERT INTO feedback (id, inference_id, episode_id, metric, kind, value,
		text, comment, demonstration, idempotency_key, created_us) VALUES (?,?,?,?,?,?,?,?,?,?,?)
		ON CONFLICT (inference_id, episode_id, idempotency_key) WHERE idempotency_key IS NOT NULL DO NOTHING`,
		f.ID, f.InferenceID, f.EpisodeID, f.Metric, f.Kind, f.Value, f.Text, f.Comment, f.Demonstration, key,
		micros(f.Created))
	if err != nil {
		return store.Feedback{}, false, fmt.Errorf("sqlite store %s: insert feedback: %w", s.path, err)
	}
	// Its pages reach the database file off this path too, so that the
	// writer's backstop autocheckpoint never runs inside a feedback commit.
	s.checkpoint.request()
	if n, err := res.RowsAffected(); err == nil && n == 1 {
		return f, true, nil
	}
	page, err := s.feedbackWhere(ctx, s.writer, store.IdempotencyWhere(f), 1)
	if err != nil {
		return store.Feedback{}, false, err
	}
	if len(page) == 0 {
		return store.Feedback{}, false, errors.New("sqlite store: feedback was neither written nor found")
	}
	return page[0], false, nil
}
