package store

import "time"

// DefaultLimit is the page size of a query that sets none; MaxLimit caps
// what a query may ask for.
const (
	DefaultLimit = 100
	MaxLimit     = 10000
)

// InferenceQuery selects inferences, newest first. Zero fields do not
// filter.
type InferenceQuery struct {
	// Since and Until bound Start: Since <= Start < Until.
	Since, Until time.Time
	// Route, Backend and EpisodeID match exactly.
	Route, Backend, EpisodeID string
	// FeedbackMetric keeps the inferences that have feedback on this
	// metric, given on the inference itself or on its episode.
	FeedbackMetric string
	// Limit is the page size; 0 means DefaultLimit, capped at MaxLimit.
	Limit int
	// Cursor continues a listing: the NextCursor of the previous page.
	Cursor string
}

// InferencePage is one page of a listing.
type InferencePage struct {
	// Inferences are newest first.
	Inferences []Inference
	// NextCursor continues the listing; "" on the last page.
	NextCursor string
}

// FeedbackQuery selects feedback, newest first. Zero fields do not filter.
type FeedbackQuery struct {
	// Metric matches exactly.
	Metric string
	// InferenceID keeps the feedback on this inference and on its episode.
	InferenceID string
	// EpisodeID keeps the feedback given on this episode.
	EpisodeID string
	// Since bounds Created from below.
	Since time.Time
	// Limit is the page size; 0 means DefaultLimit, capped at MaxLimit.
	Limit int
	// Cursor continues a listing: the NextCursor of the previous page.
	Cursor string
}

// FeedbackPage is one page of a feedback listing.
type FeedbackPage struct {
	// Feedback is newest first.
	Feedback []Feedback
	// NextCursor continues the listing; "" on the last page.
	NextCursor string
}

// PageSize returns the effective page size for a requested limit.
func PageSize(limit int) int {
	switch {
	case limit <= 0:
		return DefaultLimit
	case limit > MaxLimit:
		return MaxLimit
	}
	return limit
}
