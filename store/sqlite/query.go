package sqlite

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"

	"github.com/flywheel-stack/flywheel/store"
)

// querier is what reads need of *sql.DB.
type querier interface {
	QueryContext(ctx context.Context, query string, args ...any) (*sql.Rows, error)
}

func scanInference(rows *sql.Rows) (store.Inference, error) {
	var (
		in                                store.Inference
		stream, degraded                  int
		startUS, endUS, latencyUS, ttftUS int64
	)
	err := rows.Scan(&in.ID, &in.EpisodeID, &in.User, &in.Endpoint, &in.Route, &in.Backend, &in.Model, &in.Attempts,
		&in.FallbackDepth, &stream, &degraded, &in.Status, &in.HTTPStatus, &in.ErrorClass, &startUS, &endUS,
		&latencyUS, &ttftUS, &in.TokensIn, &in.TokensOut, &in.TokensPerSecond, &in.Request, &in.Response)
	in.Stream, in.Degraded = stream != 0, degraded != 0
	in.Start, in.End = fromMicros(startUS), fromMicros(endUS)
	in.Latency, in.TimeToFirstToken = fromDurMicros(latencyUS), fromDurMicros(ttftUS)
	return in, err
}

// Inference returns one inference, or store.ErrNotFound.
func (s *Store) Inference(ctx context.Context, id string) (store.Inference, error) {
	page, err := s.inferencesWhere(ctx, store.Where{Conds: []string{"id = ?"}, Args: []any{id}}, 1)
	if err != nil {
		return store.Inference{}, err
	}
	if len(page) == 0 {
		return store.Inference{}, fmt.Errorf("inference %s: %w", id, store.ErrNotFound)
	}
	return page[0], nil
}

// Inferences lists inferences, newest first.
func (s *Store) Inferences(ctx context.Context, q store.InferenceQuery) (store.InferencePage, error) {
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
	query := "SELECT " + inferenceColumns + " FROM inferences" + w.Clause() + store.OrderLimit(limit)
	rows, err := s.reader.QueryContext(ctx, query, w.Args...)
	if err != nil {
		return nil, fmt.Errorf("sqlite store %s: query inferences: %w", s.path, err)
	}
	defer rows.Close()
	var out []store.Inference
	for rows.Next() {
		in, err := scanInference(rows)
		if err != nil {
			return nil, fmt.Errorf("sqlite store %s: read inference: %w", s.path, err)
		}
		out = append(out, in)
	}
	return out, rows.Err()
}

// dialect is how SQLite compares times: as Unix microseconds.
func dialect() store.Dialect {
	return store.Dialect{StartColumn: "start_us", CreatedColumn: "created_us", Time: func(t time.Time) any { return micros(t) }}
}

const feedbackColumns = `id, inference_id, episode_id, metric, kind, value, text, comment, demonstration,
	COALESCE(idempotency_key, ''), created_us`

// Feedback lists feedback, newest first.
func (s *Store) Feedback(ctx context.Context, q store.FeedbackQuery) (store.FeedbackPage, error) {
	limit := store.PageSize(q.Limit)
	list, err := s.feedbackWhere(ctx, s.reader, dialect().FeedbackWhere(q), limit+1)
	if err != nil {
		return store.FeedbackPage{}, err
	}
	var page store.FeedbackPage
	page.Feedback, page.NextCursor = store.CutPage(list, limit, func(f store.Feedback) string { return f.ID })
	return page, nil
}

func (s *Store) feedbackWhere(ctx context.Context, db querier, w store.Where, limit int) ([]store.Feedback, error) {
	query := "SELECT " + feedbackColumns + " FROM feedback" + w.Clause() + store.OrderLimit(limit)
	rows, err := db.QueryContext(ctx, query, w.Args...)
	if err != nil {
		return nil, fmt.Errorf("sqlite store %s: query feedback: %w", s.path, err)
	}
	defer rows.Close()
	var out []store.Feedback
	for rows.Next() {
		var (
			f     store.Feedback
			value sql.NullFloat64
			us    int64
		)
		if err := rows.Scan(&f.ID, &f.InferenceID, &f.EpisodeID, &f.Metric, &f.Kind, &value, &f.Text, &f.Comment,
			&f.Demonstration, &f.IdempotencyKey, &us); err != nil {
			return nil, fmt.Errorf("sqlite store %s: read feedback: %w", s.path, err)
		}
		if value.Valid {
			f.Value = &value.Float64
		}
		f.Created = fromMicros(us)
		out = append(out, f)
	}
	return out, rows.Err()
}

// HasEpisode reports whether any stored inference belongs to episode.
func (s *Store) HasEpisode(ctx context.Context, episode string) (bool, error) {
	var one int
	err := s.reader.QueryRowContext(ctx, "SELECT 1 FROM inferences WHERE episode_id = ? LIMIT 1", episode).Scan(&one)
	if errors.Is(err, sql.ErrNoRows) {
		return false, nil
	}
	if err != nil {
		return false, fmt.Errorf("sqlite store %s: query episode: %w", s.path, err)
	}
	return true, nil
}

// Counts returns the table sizes.
func (s *Store) Counts(ctx context.Context) (store.Counts, error) {
	var c store.Counts
	err := s.reader.QueryRowContext(ctx, "SELECT (SELECT COUNT(*) FROM inferences), (SELECT COUNT(*) FROM feedback)").
		Scan(&c.Inferences, &c.Feedback)
	if err != nil {
		return c, fmt.Errorf("sqlite store %s: count: %w", s.path, err)
	}
	return c, nil
}

// Prune deletes up to limit inferences that started before before.
func (s *Store) Prune(ctx context.Context, before time.Time, limit int) (int, error) {
	if limit <= 0 {
		return 0, nil
	}
	res, err := s.writer.ExecContext(ctx, `DELETE FROM inferences WHERE id IN
		(SELECT id FROM inferences WHERE start_us < ? ORDER BY start_us LIMIT ?)`, micros(before), limit)
	if err != nil {
		return 0, fmt.Errorf("sqlite store %s: prune: %w", s.path, err)
	}
	n, err := res.RowsAffected()
	return int(n), err
}
