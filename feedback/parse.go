package feedback

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math"
	"strings"
	"time"

	"github.com/flywheel-stack/flywheel/config"
	"github.com/flywheel-stack/flywheel/internal/apierror"
	"github.com/flywheel-stack/flywheel/store"
	"github.com/google/uuid"
)

// request is the body of POST /v1/feedback.
type request struct {
	InferenceID    *string         `json:"inference_id"`
	EpisodeID      *string         `json:"episode_id"`
	Metric         *string         `json:"metric"`
	Value          json.RawMessage `json:"value"`
	Comment        *string         `json:"comment"`
	Demonstration  *string         `json:"demonstration"`
	IdempotencyKey *string         `json:"idempotency_key"`
}

// decode reads exactly one JSON object: unknown fields and anything but
// white space after it are refused.
func decode(body []byte, req *request) error {
	dec := json.NewDecoder(bytes.NewReader(body))
	dec.DisallowUnknownFields()
	if err := dec.Decode(req); err != nil {
		return err
	}
	if _, err := dec.Token(); !errors.Is(err, io.EOF) {
		return fmt.Errorf("unexpected data after the JSON object at byte %d", dec.InputOffset())
	}
	return nil
}

// parse decodes and validates a body against feedback.metrics.
func (h *Handler) parse(body []byte) (store.Feedback, *apierror.Error) {
	bad := func(param, code, format string, args ...any) (store.Feedback, *apierror.Error) {
		e := apierror.BadRequest(fmt.Sprintf(format, args...), param, code)
		return store.Feedback{}, &e
	}
	var req request
	if err := decode(body, &req); err != nil {
		return bad("", "invalid_json", "We could not parse the JSON body of your feedback: %s. Send {\"inference_id\" or \"episode_id\", \"metric\", \"value\"}.", err)
	}
	var f store.Feedback
	switch {
	case req.InferenceID != nil && req.EpisodeID != nil:
		return bad("inference_id", "ambiguous_target", "Send inference_id or episode_id, not both.")
	case req.InferenceID != nil:
		id, err := uuid.Parse(*req.InferenceID)
		if err != nil {
			return bad("inference_id", "invalid_inference_id", "inference_id must be the id from the X-Flywheel-Inference-Id header (a UUID), got %q.",
				store.Truncate(*req.InferenceID, 64))
		}
		f.InferenceID = id.String()
	case req.EpisodeID != nil:
		if *req.EpisodeID == "" || len(*req.EpisodeID) > store.MaxEpisodeID {
			return bad("episode_id", "invalid_episode_id", "episode_id must be the X-Flywheel-Episode-Id of the episode (1 to %d bytes).", store.MaxEpisodeID)
		}
		f.EpisodeID = *req.EpisodeID
	default:
		return bad("inference_id", "missing_target", "Send inference_id (from the X-Flywheel-Inference-Id header) or episode_id (from X-Flywheel-Episode-Id).")
	}
	if req.Metric == nil || *req.Metric == "" {
		return bad("metric", "missing_metric", "You must provide a metric: one of %s.", h.metricNames())
	}
	m, ok := h.metric(*req.Metric)
	if !ok {
		return bad("metric", "unknown_metric", "The metric %q is not defined under feedback.metrics; defined: %s.",
			store.Truncate(*req.Metric, store.MaxMetric), h.metricNames())
	}
	f.Metric, f.Kind = m.Name, string(m.Type)
	if apiErr := setValue(&f, m, req.Value); apiErr != nil {
		return store.Feedback{}, apiErr
	}
	if req.Comment != nil {
		f.Comment = *req.Comment
	}
	if req.Demonstration != nil {
		f.Demonstration = *req.Demonstration
	}
	if req.IdempotencyKey != nil {
		if *req.IdempotencyKey == "" || len(*req.IdempotencyKey) > store.MaxIdempotencyKey {
			return bad("idempotency_key", "invalid_idempotency_key", "idempotency_key must be 1 to %d characters.", store.MaxIdempotencyKey)
		}
		f.IdempotencyKey = *req.IdempotencyKey
	}
	var limit *store.LimitError
	if errors.As(store.CheckFeedback(&f), &limit) {
		return bad(limit.Field, "field_too_long", "%s is %d bytes; this gateway stores at most %d.", limit.Field, limit.Len, limit.Max)
	}
	id, err := uuid.NewV7()
	if err != nil {
		id = uuid.New()
	}
	f.ID, f.Created = id.String(), h.clk.Now().UTC().Truncate(time.Microsecond)
	return f, nil
}

// setValue checks value against the metric's type and range and sets it.
func setValue(f *store.Feedback, m config.Metric, value json.RawMessage) *apierror.Error {
	bad := func(code, format string, args ...any) *apierror.Error {
		e := apierror.BadRequest(fmt.Sprintf(format, args...), "value", code)
		return &e
	}
	if len(value) == 0 || string(value) == "null" {
		return bad("missing_value", "You must provide a value for the %s metric %q.", m.Type, m.Name)
	}
	shown := store.Truncate(string(value), 100)
	switch m.Type {
	case config.MetricBoolean:
		var b bool
		if json.Unmarshal(value, &b) != nil {
			return bad("invalid_value", "The metric %q is boolean: value must be true or false, got %s.", m.Name, shown)
		}
		v := 0.0
		if b {
			v = 1
		}
		f.Value = &v
	case config.MetricFloat:
		var v float64
		if json.Unmarshal(value, &v) != nil || math.IsInf(v, 0) || math.IsNaN(v) {
			return bad("invalid_value", "The metric %q is a number: value must be a JSON number, got %s.", m.Name, shown)
		}
		if m.Min != nil && v < *m.Min || m.Max != nil && v > *m.Max {
			return bad("value_out_of_range", "The metric %q takes values in %s, got %g.", m.Name, rangeOf(m), v)
		}
		f.Value = &v
	default: // comment, demonstration
		var s string
		if json.Unmarshal(value, &s) != nil || strings.TrimSpace(s) == "" {
			return bad("invalid_value", "The metric %q is a %s: value must be a non-empty string, got %s.", m.Name, m.Type, shown)
		}
		f.Text = s
	}
	return nil
}

func (h *Handler) metric(name string) (config.Metric, bool) {
	for _, m := range h.metrics {
		if m.Name == name {
			return m, true
		}
	}
	return config.Metric{}, false
}

func (h *Handler) metricNames() string {
	if len(h.metrics) == 0 {
		return "none (add metrics under feedback.metrics in flywheel.yaml)"
	}
	names := make([]string, len(h.metrics))
	for i, m := range h.metrics {
		names[i] = fmt.Sprintf("%q (%s)", m.Name, m.Type)
	}
	return strings.Join(names, ", ")
}

func rangeOf(m config.Metric) string {
	lo, hi := "-inf", "+inf"
	if m.Min != nil {
		lo = fmt.Sprint(*m.Min)
	}
	if m.Max != nil {
		hi = fmt.Sprint(*m.Max)
	}
	return "[" + lo + ", " + hi + "]"
}
