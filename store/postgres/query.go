package postgres

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/flywheel-stack/flywheel/store"
	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"
)

const selectInferences = `SELECT id::text, episode_id, user_id, endpoint, route, backend, model, attempts,
	fallback_depth, stream, degraded, status, http_status, error_class, start_time, end_time, latency_us, ttft_us,
	tokens_in, tokens_out, tokens_per_second, request, response FROM inferences`

// dialect is how PostgreSQL compares times: as timestamptz.
func dialect() store.Dialect {
	return store.Dialect{StartColumn: "start_time", CreatedColumn: "created", Time: func(t time.Time) any { return t }}
}

func scanInference(row pgx.Row) (store.Inference, error) {
	var (
		in                      store.Inference
		latencyUS, ttftUS       int64
		attempts, depth, status int32
		tokIn, tokOut           int32
	)
	err := row.Scan(&in.ID, &in.EpisodeID, &in.User, &in.Endpoint, &in.Route, &in.Backend, &in.Model, &attempts,
		&depth, &in.Stream, &in.Degraded, &in.Status, &status, &in.ErrorClass, &in.Start, &in.End, &latencyUS,
		&ttftUS, &tokIn, &tokOut, &in.TokensPerSecond, &in.Request, &in.Response)
	in.Attempts, in.FallbackDepth, in.HTTPStatus = int(attempts), int(depth), int(status)
	in.TokensIn, in.TokensOut = int(tokIn), int(tokOut)
	in.Start, in.End = in.Start.UTC(), in.End.UTC()
	in.Latency, in.TimeToFirstToken = time.Duration(latencyUS)*time.Microsecond, time.Duration(ttftUS)*time.Microsecond
	return in, err
}

// Inference returns one inference, or store.ErrNotFound.
func (s *Store) Inference(ctx context.Context, id string) (store.Inference, error) {
	if _, err := uuid.Parse(id); err != nil {
		return store.Inference{}, fmt.Errorf("inference %s: %w", id, store.ErrNotFound)
	}
	list, err := s.inferencesWhere(ctx, store.Where{Conds: []string{"id = ?"}, Args: []any{id}}, 1)
	if err != nil {
		return store.Inference{}, err
	}
	if len(list) == 0 {
		return store.Inference{}, fmt.Errorf("inference %s: %w", id, store.ErrNotFound)
	}
	return list[0], nil
}

// Inferences lists inferences, newest first.
func (s *Store) Inferences(ctx context.Context, q store.InferenceQuery) (store.InferencePage, error) {
	if q.Cursor != "" {
		if _, err := uuid.Parse(q.Cursor); err != nil {
			return store.InferencePage{}, fmt.Errorf("bad cursor %q", q.Cursor)
		}
	}
	limit := store.PageSize(q.Limit)
	list, err := s.inferencesWhere(ctx, dialect().InferenceWhere(q), limit+1)
	if err != nil {
		return store.InferencePage{}, err
	}
	var page store.InferencePage
	page.Inferences, page.NextCursor = store.CutPage(list, limit, func(in store.Inference) string { return in.ID })
	return page, nil
}

func (s *Store) inferencesWhere(ctx context.Context, w store.Where, limit int) ([]store.Inference, error) {
	if err := s.ready(ctx); err != nil {
		return nil, err
	}
	rows, err := s.pool.Query(ctx, store.Numbered(selectInferences+w.Clause()+store.OrderLimit(limit)), w.Args...)
	if err != nil {
		return nil, s.wrap("query inferences", err)
	}
	defer rows.Close()
	var out []store.Inference
	for rows.Next() {
		in, err := scanInference(rows)
		if err != nil {
			return nil, s.wrap("read inference", err)
		}
		out = append(out, in)
	}
	if err := rows.Err(); err != nil {
		return nil, s.wrap("query inferences", err)
	}
	return out, nil
}

const selectFeedback = `SELECT id::text, COALESCE(inference_id::text, ''), episode_id, metric, kind, value, text,
	comment, demonstration, COALESCE(idempotency_key, ''), created FROM feedback`

// Feedback lists feedback, newest first.
func (s *Store) Feedback(ctx context.Context, q store.FeedbackQuery) (store.FeedbackPage, error) {
	if q.InferenceID != "" {
		if _, err := uuid.Parse(q.InferenceID); err != nil {
			return store.FeedbackPage{}, nil // no inference has this id
		}
	}
	if q.Cursor != "" {
		if _, err := uuid.Parse(q.Cursor); err != nil {
			return store.FeedbackPage{}, fmt.Errorf("bad cursor %q", q.Cursor)
		}
	}
	limit := store.PageSize(q.Limit)
	list, err := s.feedbackWhere(ctx, dialect().FeedbackWhere(q), limit+1)
	if err != nil {
		return store.FeedbackPage{}, err
	}
	var page store.FeedbackPage
	page.Feedback, page.NextCursor = store.CutPage(list, limit, func(f store.Feedback) string { return f.ID })
	return page, nil
}

func (s *Store) feedbackWhere(ctx context.Context, w store.Where, limit int) ([]store.Feedback, error) {
	if err := s.ready(ctx); err != nil {
		return nil, err
	}
	rows, err := s.pool.Query(ctx, store.Numbered(selectFeedback+w.Clause()+store.OrderLimit(limit)), w.Args...)
	if err != nil {
		return nil, s.wrap("query feedback", err)
	}
	defer rows.Close()
	var out []store.Feedback
	for rows.Next() {
		var f store.Feedback
		if err := rows.Scan(&f.ID, &f.InferenceID, &f.EpisodeID, &f.Metric, &f.Kind, &f.Value, &f.Text, &f.Comment,
			&f.Demonstration, &f.IdempotencyKey, &f.Created); err != nil {
			return nil, s.wrap("read feedback", err)
		}
		f.Created = f.Created.UTC()
		out = append(out, f)
	}
	if err := rows.Err(); err != nil {
		return nil, s.wrap("query feedback", err)
	}
	return out, nil
}

// HasEpisode reports whether any stored inference belongs to episode.
func (s *Store) HasEpisode(ctx context.Context, episode string) (bool, error) {
	if err := s.ready(ctx); err != nil {
		return false, err
	}
	var one int
	err := s.pool.QueryRow(ctx, "SELECT 1 FROM inferences WHERE episode_id = $1 LIMIT 1", episode).Scan(&one)
	if errors.Is(err, pgx.ErrNoRows) {
		return false, nil
	}
	if err != nil {
		return false, s.wrap("query episode", err)
	}
	return true, nil
}

// Counts returns the table sizes.
func (s *Store) Counts(ctx context.Context) (store.Counts, error) {
	var c store.Counts
	if err := s.ready(ctx); err != nil {
		return c, err
	}
	err := s.pool.QueryRow(ctx, "SELECT (SELECT COUNT(*) FROM inferences), (SELECT COUNT(*) FROM feedback)").
		Scan(&c.Inferences, &c.Feedback)
	if err != nil {
		return c, s.wrap("count", err)
	}
	return c, nil
}

// Prune deletes up to limit inferences that started before before.
func (s *Store) Prune(ctx context.Context, before time.Time, limit int) (int, error) {
	if limit <= 0 {
		return 0, nil
	}
	if err := s.ready(ctx); err != nil {
		return 0, err
	}
	tag, err := s.pool.Exec(ctx, `DELETE FROM inferences WHERE id IN
		(SELECT id FROM inferences WHERE start_time < $1 ORDER BY start_time LIMIT $2)`, before, limit)
	if err != nil {
		return 0, s.wrap("prune", err)
	}
	return int(tag.RowsAffected()), nil
}
