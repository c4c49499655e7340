// Package telemetry describes what the gateway saw of each inference and
// hands it to sinks: Prometheus metrics, an in-memory buffer for tests, and
// (in the store package) a batched database writer.
package telemetry

import "time"

// Status is how an inference ended, as metrics label it.
type Status string

const (
	// StatusOK is an answer from a target.
	StatusOK Status = "ok"
	// StatusDegraded is the route's degraded answer: every target failed or
	// was rejected.
	StatusDegraded Status = "degraded"
	// StatusClientError is a request the gateway refused (4xx).
	StatusClientError Status = "client_error"
	// StatusBackendError is a backend's error passed to the client, or a
	// stream that failed after its first chunk.
	StatusBackendError Status = "backend_error"
	// StatusCancelled is a request whose client went away.
	StatusCancelled Status = "cancelled"
)

// Event is one finished inference request. The gateway fills it once, when
// the request ends; sinks must not keep a pointer to it after Record
// returns, nor modify it.
type Event struct {
	// InferenceID is the time-ordered id returned in X-Flywheel-Inference-Id.
	InferenceID string
	// EpisodeID groups the inferences of one conversation or agent run.
	EpisodeID string
	// User is the OpenAI `user` field or the user header, as configured.
	User string
	// Endpoint is the API path: chat, completions or embeddings.
	Endpoint string
	// Route is the model name the client asked for.
	Route string
	// Backend and Model are the target that answered (or failed last).
	Backend, Model string
	// Attempts is the number of upstream attempts across all targets.
	Attempts int
	// FallbackDepth is the index in the route's chain of the target that
	// answered (0: the first).
	FallbackDepth int
	// Tried holds the outcome of each target the request tried, in order:
	// Tried[:NTried] (see AddTried). An SLO scoped to a backend judges each
	// of them, so that a target that failed before another answered counts
	// against its own backend. TriedDropped counts the targets left out of
	// a route of more than MaxTried targets (the last one is always kept).
	Tried                [MaxTried]TargetOutcome
	NTried, TriedDropped int
	// Stream tells whether the client asked for a stream.
	Stream bool
	// Status is how the request ended; HTTPStatus the status sent.
	Status     Status
	HTTPStatus int
	// ErrorClass names the failure: "", timeout, connection, status_5xx,
	// status_429, rejected, stream_cut, cancelled, bad_request, ...
	ErrorClass string
	// Start and End bound the request at the gateway.
	Start, End time.Time
	// TimeToFirstToken is the time from Start to the first streamed chunk
	// (or the full answer when not streaming); 0 when none came.
	TimeToFirstToken time.Duration
	// TokensIn and TokensOut come from the backend's usage report.
	TokensIn, TokensOut int
	// Request is the request body when capture allows it.
	Request []byte
	// Response is the answer text when capture allows it.
	Response string
	// ResponseBody is the raw answer when capture allows it: the JSON body,
	// or a stream's SSE events. A sink that stores answers extracts their
	// text from it off the request path. The gateway sets it to a non-nil
	// empty slice when the answer is to be captured.
	ResponseBody []byte
}

// Latency is End - Start.
func (e *Event) Latency() time.Duration { return e.End.Sub(e.Start) }

// TokensPerSecond is the decode speed: output tokens over the time after
// the first token (over the whole latency when there was no stream).
func (e *Event) TokensPerSecond() float64 {
	if e.TokensOut == 0 {
		return 0
	}
	// A non-streamed answer's "first token" is the whole answer, so the
	// time after it says nothing about decoding.
	d := e.Latency()
	if e.Stream && e.TimeToFirstToken > 0 && e.TimeToFirstToken < d {
		d -= e.TimeToFirstToken
	}
	if d <= 0 {
		return 0
	}
	return float64(e.TokensOut) / d.Seconds()
}
