package store

import "time"

// Feedback is one judgement a person (or a program) gave about an inference
// or about every inference of an episode.
type Feedback struct {
	// ID is the feedback's time-ordered id.
	ID string `json:"id"`
	// InferenceID is the inference the feedback is about; "" for episode
	// feedback.
	InferenceID string `json:"inference_id,omitempty"`
	// EpisodeID is the episode the feedback is about; "" for inference
	// feedback.
	EpisodeID string `json:"episode_id,omitempty"`
	// Metric is the name of a metric under feedback.metrics.
	Metric string `json:"metric"`
	// Kind is the metric's type: boolean, float, comment or demonstration.
	Kind string `json:"type"`
	// Value is the number of a boolean (1 or 0) or float metric; nil for
	// comment and demonstration metrics.
	Value *float64 `json:"value,omitempty"`
	// Text is the value of a comment or demonstration metric.
	Text string `json:"text,omitempty"`
	// Comment is an optional remark sent with any metric.
	Comment string `json:"comment,omitempty"`
	// Demonstration is an optional ideal answer sent with any metric.
	Demonstration string `json:"demonstration,omitempty"`
	// IdempotencyKey, when not "", makes a repeated write on the same
	// inference or episode return the first one's feedback instead of
	// adding another.
	IdempotencyKey string `json:"idempotency_key,omitempty"`
	// Created is when the gateway received the feedback.
	Created time.Time `json:"created"`
}

// SamePayload reports whether f and o say the same thing about the same
// target: what a repeat under one idempotency key must send.
func (f *Feedback) SamePayload(o *Feedback) bool {
	sameValue := f.Value == nil && o.Value == nil || f.Value != nil && o.Value != nil && *f.Value == *o.Value
	return sameValue && f.InferenceID == o.InferenceID && f.EpisodeID == o.EpisodeID && f.Metric == o.Metric &&
		f.Kind == o.Kind && f.Text == o.Text && f.Comment == o.Comment && f.Demonstration == o.Demonstration
}
