package postgres

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/flywheel-stack/flywheel/store"
	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"
)

const selectInferences = `SELECT id::text, episode_id, user_id, endpoint, route, backend, model, attempts,
	fallback_depth, stream, degraded, status, http_status, error_class, start_time, end_time, latency_us, ttft_us,
	tokens_in, tokens_out, tokens_per_second, request, response FROM inferences`

// conds builds a WHERE clause with numbered placeholders.
type conds struct {
	where []string
	args  []any
}

// add appends a condition whose placeholders are written "?"; they are
// numbered in order.
func (c *conds) add(cond string, args ...any) {
	for _, a := range args {
		c.args = append(c.args, a)
		cond = strings.Replace(cond, "?", "$"+strconv.Itoa(len(c.args)), 1)
	}
	c.where = append(c.where, cond)
}

func (c *conds) clause() string {
	if len(c.where) == 0 {
		return ""
	}
	return " WHERE " + strings.Join(c.where, " AND ")
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
	var c conds
	c.add("id = ?", id)
	list, err := s.inferencesWhere(ctx, &c, 1)
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
	var c conds
	if !q.Since.IsZero() {
		c.add("start_time >= ?", q.Since)
	}
	if !q.Until.IsZero() {
		c.add("start_time < ?", q.Until)
	}
	if q.Route != "" {
		c.add("route = ?", q.Route)
	}
	if q.Backend != "" {
		c.add("backend = ?", q.Backend)
	}
	if q.EpisodeID != "" {
		c.add("episode_id = ?", q.EpisodeID)
	}
	if q.FeedbackMetric != "" {
		c.add(`EXISTS (SELECT 1 FROM feedback f WHERE f.metric = ? AND
			(f.inference_id = inferences.id OR (f.episode_id <> '' AND f.episode_id = inferences.episode_id)))`, q.FeedbackMetric)
	}
	if q.Cursor != "" {
		if _, err := uuid.Parse(q.Cursor); err != nil {
			return store.InferencePage{}, fmt.Errorf("bad cursor %q", q.Cursor)
		}
		c.add("id < ?", q.Cursor)
	}
	limit := store.PageSize(q.Limit)
	list, err := s.inferencesWhere(ctx, &c, limit+1)
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

func (s *Store) inferencesWhere(ctx context.Context, c *conds, limit int) ([]store.Inference, error) {
	if err := s.ready(ctx); err != nil {
		return nil, err
	}
	rows, err := s.pool.Query(ctx, selectInferences+c.clause()+fmt.Sprintf(" ORDER BY id DESC LIMIT %d", limit), c.args...)
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
	var c conds
	if q.Metric != "" {
		c.add("metric = ?", q.Metric)
	}
	if q.InferenceID != "" {
		if _, err := uuid.Parse(q.InferenceID); err != nil {
			return store.FeedbackPage{}, nil // no inference has this id
		}
		c.add(`(inference_id = ? OR (episode_id <> '' AND episode_id =
			(SELECT episode_id FROM inferences WHERE id = ?)))`, q.InferenceID, q.InferenceID)
	}
	if q.EpisodeID != "" {
		c.add("episode_id = ?", q.EpisodeID)
	}
	if !q.Since.IsZero() {
		c.add("created >= ?", q.Since)
	}
	if q.Cursor != "" {
		if _, err := uuid.Parse(q.Cursor); err != nil {
			return store.FeedbackPage{}, fmt.Errorf("bad cursor %q", q.Cursor)
		}
		c.add("id < ?", q.Cursor)
	}
	limit := store.PageSize(q.Limit)
	list, err := s.feedbackWhere(ctx, strings.TrimPrefix(c.clause(), " WHERE "), c.args, limit+1)
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

func (s *Store) feedbackWhere(ctx context.Context, where string, args []any, limit int) ([]store.Feedback, error) {
	if err := s.ready(ctx); err != nil {
		return nil, err
	}
	query := selectFeedback
	if where != "" {
		query += " WHERE " + where
	}
	rows, err := s.pool.Query(ctx, query+fmt.Sprintf(" ORDER BY id DESC LIMIT %d", limit), args...)
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
