package gateway

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"net/http"
	"strings"
	"time"

	"github.com/flywheel-stack/flywheel/config"
	"github.com/flywheel-stack/flywheel/store"
	"github.com/google/uuid"
)

// Feedback is what POST /v1/feedback writes to.
type Feedback struct {
	// Store keeps the feedback; it is written before the 200.
	Store store.Store
	// Pending knows the inferences recorded but not yet in the store (the
	// telemetry writer), so that feedback on an answer the client just got
	// is accepted. nil: only stored inferences are known.
	Pending PendingInferences
}

// PendingInferences reports recorded inferences that are not in the store
// yet. store/writer.Writer implements it.
type PendingInferences interface {
	Pending(inferenceID string) bool
	PendingEpisode(episodeID string) bool
}

// Limits of a feedback request.
const (
	maxFeedbackBody   = 1 << 20
	maxIdempotencyKey = 256
	maxEpisodeID      = 256 // bytes
	feedbackTimeout   = 10 * time.Second
)

// feedbackRequest is the body of POST /v1/feedback.
type feedbackRequest struct {
	InferenceID    *string         `json:"inference_id"`
	EpisodeID      *string         `json:"episode_id"`
	Metric         *string         `json:"metric"`
	Value          json.RawMessage `json:"value"`
	Comment        *string         `json:"comment"`
	Demonstration  *string         `json:"demonstration"`
	IdempotencyKey *string         `json:"idempotency_key"`
}

// feedbackResponse is the 200's body.
type feedbackResponse struct {
	FeedbackID string `json:"feedback_id"`
	// Duplicate is true when the idempotency key was seen before: nothing
	// was written, and FeedbackID is the first write's.
	Duplicate bool `json:"duplicate"`
}

// handleFeedback validates, stores and acknowledges one piece of feedback.
func (g *Gateway) handleFeedback(w http.ResponseWriter, r *http.Request) {
	if !g.clientAuth(w, r) {
		return
	}
	if g.feedback == nil || g.feedback.Store == nil {
		writeError(w, apiError{Status: http.StatusServiceUnavailable, Type: "server_error", Code: "feedback_disabled",
			Message: "Feedback is not stored by this gateway: it runs without a store."})
		return
	}
	body, err := readAll(http.MaxBytesReader(w, r.Body, maxFeedbackBody), r.ContentLength, maxFeedbackBody)
	if err != nil {
		var tooLarge *http.MaxBytesError
		if errors.As(err, &tooLarge) {
			writeError(w, apiError{Status: http.StatusRequestEntityTooLarge, Type: "invalid_request_error", Code: "request_too_large",
				Message: fmt.Sprintf("The feedback body is larger than the %d bytes this gateway accepts.", maxFeedbackBody)})
		}
		return // the client went away
	}
	f, apiErr := g.parseFeedback(body)
	if apiErr != nil {
		writeError(w, *apiErr)
		return
	}
	// A store that does not answer (a partitioned network) gets a 503
	// within feedbackTimeout rather than holding the client.
	ctx, cancel := context.WithTimeout(r.Context(), feedbackTimeout)
	defer cancel()
	if apiErr := g.checkFeedbackTarget(ctx, w, &f); apiErr != nil {
		writeError(w, *apiErr)
		return
	}
	stored, created, err := g.feedback.Store.WriteFeedback(ctx, f)
	if err != nil {
		g.log.Error("feedback not stored", "store", g.feedback.Store.Location(), "error", err)
		writeError(w, storeUnavailable(g.feedback.Store, w))
		return
	}
	out, _ := json.Marshal(feedbackResponse{FeedbackID: stored.ID, Duplicate: !created})
	w.Header().Set("Content-Type", "application/json")
	_, _ = w.Write(append(out, '\n'))
}

func storeUnavailable(st store.Store, w http.ResponseWriter) apiError {
	w.Header().Set("Retry-After", "5")
	return apiError{Status: http.StatusServiceUnavailable, Type: "server_error", Code: "store_unavailable",
		Message: fmt.Sprintf("The feedback could not be stored: the store (%s) is unavailable. Nothing was recorded; retry shortly.", st.Location())}
}

// parseFeedback decodes and validates a body against feedback.metrics.
func (g *Gateway) parseFeedback(body []byte) (store.Feedback, *apiError) {
	bad := func(param, code, format string, args ...any) (store.Feedback, *apiError) {
		e := badRequest(fmt.Sprintf(format, args...), param, code)
		return store.Feedback{}, &e
	}
	var req feedbackRequest
	dec := json.NewDecoder(bytes.NewReader(body))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&req); err != nil {
		return bad("", "invalid_json", "We could not parse the JSON body of your feedback: %s. Send {\"inference_id\" or \"episode_id\", \"metric\", \"value\"}.", err)
	}
	var f store.Feedback
	switch {
	case req.InferenceID != nil && req.EpisodeID != nil:
		return bad("inference_id", "ambiguous_target", "Send inference_id or episode_id, not both.")
	case req.InferenceID != nil:
		id, err := uuid.Parse(*req.InferenceID)
		if err != nil {
			return bad("inference_id", "invalid_inference_id", "inference_id must be the id from the X-Flywheel-Inference-Id header (a UUID), got %q.", *req.InferenceID)
		}
		f.InferenceID = id.String()
	case req.EpisodeID != nil:
		if *req.EpisodeID == "" || len(*req.EpisodeID) > maxEpisodeID {
			return bad("episode_id", "invalid_episode_id", "episode_id must be the X-Flywheel-Episode-Id of the episode (1 to %d characters).", maxEpisodeID)
		}
		f.EpisodeID = *req.EpisodeID
	default:
		return bad("inference_id", "missing_target", "Send inference_id (from the X-Flywheel-Inference-Id header) or episode_id (from X-Flywheel-Episode-Id).")
	}
	if req.Metric == nil || *req.Metric == "" {
		return bad("metric", "missing_metric", "You must provide a metric: one of %s.", g.metricNames())
	}
	m, ok := g.metric(*req.Metric)
	if !ok {
		return bad("metric", "unknown_metric", "The metric %q is not defined under feedback.metrics; defined: %s.", *req.Metric, g.metricNames())
	}
	f.Metric, f.Kind = m.Name, string(m.Type)
	if len(req.Value) == 0 || string(req.Value) == "null" {
		return bad("value", "missing_value", "You must provide a value for the %s metric %q.", m.Type, m.Name)
	}
	switch m.Type {
	case config.MetricBoolean:
		var b bool
		if json.Unmarshal(req.Value, &b) != nil {
			return bad("value", "invalid_value", "The metric %q is boolean: value must be true or false, got %s.", m.Name, req.Value)
		}
		v := 0.0
		if b {
			v = 1
		}
		f.Value = &v
	case config.MetricFloat:
		var v float64
		if json.Unmarshal(req.Value, &v) != nil || math.IsInf(v, 0) || math.IsNaN(v) {
			return bad("value", "invalid_value", "The metric %q is a number: value must be a JSON number, got %s.", m.Name, req.Value)
		}
		if m.Min != nil && v < *m.Min || m.Max != nil && v > *m.Max {
			return bad("value", "value_out_of_range", "The metric %q takes values in %s, got %g.", m.Name, rangeOf(m), v)
		}
		f.Value = &v
	default: // comment, demonstration
		var s string
		if json.Unmarshal(req.Value, &s) != nil || strings.TrimSpace(s) == "" {
			return bad("value", "invalid_value", "The metric %q is a %s: value must be a non-empty string, got %s.", m.Name, m.Type, req.Value)
		}
		f.Text = s
	}
	if req.Comment != nil {
		f.Comment = *req.Comment
	}
	if req.Demonstration != nil {
		f.Demonstration = *req.Demonstration
	}
	if req.IdempotencyKey != nil {
		if *req.IdempotencyKey == "" || len(*req.IdempotencyKey) > maxIdempotencyKey {
			return bad("idempotency_key", "invalid_idempotency_key", "idempotency_key must be 1 to %d characters.", maxIdempotencyKey)
		}
		f.IdempotencyKey = *req.IdempotencyKey
	}
	id, err := uuid.NewV7()
	if err != nil {
		id = uuid.New()
	}
	f.ID, f.Created = id.String(), g.clk.Now().UTC().Truncate(time.Microsecond)
	return f, nil
}

// checkFeedbackTarget checks that the inference or episode is known: still
// being served, queued for writing, or in the store. They are asked in that
// order: a request leaves the live set only once its event is queued, and
// the queue only once the event is in the store.
func (g *Gateway) checkFeedbackTarget(ctx context.Context, w http.ResponseWriter, f *store.Feedback) *apiError {
	fb := g.feedback
	var (
		known bool
		err   error
	)
	if f.InferenceID != "" {
		if known = g.live.has(f.InferenceID) || fb.Pending != nil && fb.Pending.Pending(f.InferenceID); !known {
			_, err = fb.Store.Inference(ctx, f.InferenceID)
			known = err == nil
			if errors.Is(err, store.ErrNotFound) {
				err = nil
			}
		}
	} else {
		if known = g.live.hasEpisode(f.EpisodeID) || fb.Pending != nil && fb.Pending.PendingEpisode(f.EpisodeID); !known {
			known, err = fb.Store.HasEpisode(ctx, f.EpisodeID)
		}
	}
	switch {
	case err != nil:
		g.log.Error("feedback target lookup failed", "store", fb.Store.Location(), "error", err)
		e := storeUnavailable(fb.Store, w)
		return &e
	case !known && f.InferenceID != "":
		return &apiError{Status: http.StatusNotFound, Type: "invalid_request_error", Param: "inference_id", Code: "inference_not_found",
			Message: fmt.Sprintf("No inference %s is known to this gateway (it may be older than store.retention, or its record was dropped).", f.InferenceID)}
	case !known:
		return &apiError{Status: http.StatusNotFound, Type: "invalid_request_error", Param: "episode_id", Code: "episode_not_found",
			Message: fmt.Sprintf("No inference of episode %q is known to this gateway.", f.EpisodeID)}
	}
	return nil
}

func (g *Gateway) metric(name string) (config.Metric, bool) {
	for _, m := range g.cfg.Feedback.Metrics {
		if m.Name == name {
			return m, true
		}
	}
	return config.Metric{}, false
}

func (g *Gateway) metricNames() string {
	if len(g.cfg.Feedback.Metrics) == 0 {
		return "none (add metrics under feedback.metrics in flywheel.yaml)"
	}
	names := make([]string, len(g.cfg.Feedback.Metrics))
	for i, m := range g.cfg.Feedback.Metrics {
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
