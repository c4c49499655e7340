package sqlite

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"
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
	page, err := s.inferencesWhere(ctx, "id = ?", []any{id}, 1)
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
	var (
		where []string
		args  []any
	)
	add := func(cond string, arg any) {
		where = append(where, cond)
		args = append(args, arg)
	}
	if !q.Since.IsZero() {
		add("start_us >= ?", micros(q.Since))
	}
	if !q.Until.IsZero() {
		add("start_us < ?", micros(q.Until))
	}
	if q.Route != "" {
		add("route = ?", q.Route)
	}
	if q.Backend != "" {
		add("backend = ?", q.Backend)
	}
	if q.EpisodeID != "" {
		add("episode_id = ?", q.EpisodeID)
	}
	if q.FeedbackMetric != "" {
		add(`EXISTS (SELECT 1 FROM feedback f WHERE f.metric = ? AND
			(f.inference_id = inferences.id OR (f.episode_id <> '' AND f.episode_id = inferences.episode_id)))`, q.FeedbackMetric)
	}
	if q.Cursor != "" {
		add("id < ?", q.Cursor)
	}
	limit := store.PageSize(q.Limit)
	list, err := s.inferencesWhere(ctx, strings.Join(where, " AND "), args, limit+1)
	if err != nil {
		return store.InferencePage{}, err
	}
	page := store.InferencePage{Inferences: list}
	if len(list) > limit {
		page.Inferences = list[:limit]
		page.NextCursor = list[limit-1].ID
	}
	return page, nil
}

func (s *Store) inferencesWhere(ctx context.Context, where string, args []any, limit int) ([]store.Inference, error) {
	query := "SELECT " + inferenceColumns + " FROM inferences"
	if where != "" {
		query += " WHERE " + where
	}
	query += fmt.Sprintf(" ORDER BY id DESC LIMIT %d", limit)
	rows, err := s.reader.QueryContext(ctx, query, args...)
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

const feedbackColumns = `id, inference_id, episode_id, metric, kind, value, text, comment, demonstration,
	COALESCE(idempotency_key, ''), created_us`

// Feedback lists feedback, newest first.
func (s *Store) Feedback(ctx context.Context, q store.FeedbackQuery) (store.FeedbackPage, error) {
	var (
		where []string
		args  []any
	)
	add := func(cond string, a ...any) {
		where = append(where, cond)
		args = append(args, a...)
	}
	if q.Metric != "" {
		add("metric = ?", q.Metric)
	}
	if q.InferenceID != "" {
		add(`(inference_id = ? OR (episode_id <> '' AND episode_id =
			(SELECT episode_id FROM inferences WHERE id = ?)))`, q.InferenceID, q.InferenceID)
	}
	if q.EpisodeID != "" {
		add("episode_id = ?", q.EpisodeID)
	}
	if !q.Since.IsZero() {
		add("created_us >= ?", micros(q.Since))
	}
	if q.Cursor != "" {
		add("id < ?", q.Cursor)
	}
	limit := store.PageSize(q.Limit)
	list, err := s.feedbackWhere(ctx, s.reader, strings.Join(where, " AND "), args, limit+1)
	if err != nil {
		return store.FeedbackPage{}, err
	}
	page := store.FeedbackPage{Feedback: list}
	if len(list) > limit {
		page.Feedback = list[:limit]
		page.NextCursor = list[limit-1].ID
	}
	return page, nil
}

func (s *Store) feedbackWhere(ctx context.Context, db querier, where string, args []any, limit int) ([]store.Feedback, error) {
	query := "SELECT " + feedbackColumns + " FROM feedback"
	if where != "" {
		query += " WHERE " + where
	}
	query += fmt.Sprintf(" ORDER BY id DESC LIMIT %d", limit)
	rows, err := db.QueryContext(ctx, query, args...)
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
