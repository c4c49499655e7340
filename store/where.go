package store

import (
	"strconv"
	"strings"
	"time"
)

// Where is an SQL WHERE clause being built: conditions joined by AND, with
// "?" placeholders, and their arguments in order.
type Where struct {
	// Conds are the conditions.
	Conds []string
	// Args are the placeholders' values, in order.
	Args []any
}

// Add appends a condition and the values of its placeholders.
func (w *Where) Add(cond string, args ...any) {
	w.Conds = append(w.Conds, cond)
	w.Args = append(w.Args, args...)
}

// Clause returns " WHERE c1 AND c2 ...", or "" without conditions.
func (w *Where) Clause() string {
	if len(w.Conds) == 0 {
		return ""
	}
	return " WHERE " + strings.Join(w.Conds, " AND ")
}

// Numbered rewrites each "?" placeholder of query as $1, $2, ... in
// order, for PostgreSQL. The conditions built here hold no other "?".
func Numbered(query string) string {
	var b strings.Builder
	n := 0
	for {
		i := strings.IndexByte(query, '?')
		if i < 0 {
			b.WriteString(query)
			return b.String()
		}
		n++
		b.WriteString(query[:i])
		b.WriteString("$" + strconv.Itoa(n))
		query = query[i+1:]
	}
}

// Dialect is what differs between the SQL stores in a query's conditions.
type Dialect struct {
	// StartColumn and CreatedColumn are the time columns of inferences and
	// feedback.
	StartColumn, CreatedColumn string
	// Time is the value a time is compared as.
	Time func(time.Time) any
}

// InferenceWhere returns the conditions of q, its cursor included.
func (d Dialect) InferenceWhere(q InferenceQuery) Where {
	var w Where
	if !q.Since.IsZero() {
		w.Add(d.StartColumn+" >= ?", d.Time(q.Since))
	}
	if !q.Until.IsZero() {
		w.Add(d.StartColumn+" < ?", d.Time(q.Until))
	}
	if q.Route != "" {
		w.Add("route = ?", q.Route)
	}
	if q.Backend != "" {
		w.Add("backend = ?", q.Backend)
	}
	if q.EpisodeID != "" {
		w.Add("episode_id = ?", q.EpisodeID)
	}
	if q.FeedbackMetric != "" {
		w.Add(`EXISTS (SELECT 1 FROM feedback f WHERE f.metric = ? AND
			(f.inference_id = inferences.id OR (f.episode_id <> '' AND f.episode_id = inferences.episode_id)))`, q.FeedbackMetric)
	}
	if q.Cursor != "" {
		w.Add("id < ?", q.Cursor)
	}
	return w
}

// FeedbackWhere returns the conditions of q, its cursor included.
func (d Dialect) FeedbackWhere(q FeedbackQuery) Where {
	var w Where
	if q.Metric != "" {
		w.Add("metric = ?", q.Metric)
	}
	if q.InferenceID != "" {
		w.Add(`(inference_id = ? OR (episode_id <> '' AND episode_id =
			(SELECT episode_id FROM inferences WHERE id = ?)))`, q.InferenceID, q.InferenceID)
	}
	if q.EpisodeID != "" {
		w.Add("episode_id = ?", q.EpisodeID)
	}
	if !q.Since.IsZero() {
		w.Add(d.CreatedColumn+" >= ?", d.Time(q.Since))
	}
	if q.Cursor != "" {
		w.Add("id < ?", q.Cursor)
	}
	return w
}

// IdempotencyWhere selects the feedback stored under f's idempotency key
// on f's target: a key is scoped to its inference or episode.
func IdempotencyWhere(f Feedback) Where {
	var w Where
	w.Add("idempotency_key = ?", f.IdempotencyKey)
	if f.InferenceID != "" {
		w.Add("inference_id = ?", f.InferenceID)
	} else {
		w.Add("episode_id = ?", f.EpisodeID)
	}
	return w
}

// OrderLimit is the tail of a listing query: newest (highest id) first,
// at most limit rows.
func OrderLimit(limit int) string {
	return " ORDER BY id DESC LIMIT " + strconv.Itoa(limit)
}

// CutPage splits a listing read with limit+1 rows into the page of at most
// limit and the cursor of the next page ("" on the last one).
func CutPage[T any](list []T, limit int, id func(T) string) ([]T, string) {
	if len(list) <= limit {
		return list, ""
	}
	return list[:limit], id(list[limit-1])
}
