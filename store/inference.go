package store

import "time"

// Inference is one inference request as the gateway saw it.
type Inference struct {
	// ID is the time-ordered id (UUIDv7) sent in X-Flywheel-Inference-Id.
	ID string `json:"id"`
	// EpisodeID groups the inferences of one conversation or agent run.
	EpisodeID string `json:"episode_id"`
	// User is the client's user, as given or hashed per capture.user; ""
	// when none was sent or capture.user is none.
	User string `json:"user,omitempty"`
	// Endpoint is chat, completions or embeddings.
	Endpoint string `json:"endpoint"`
	// Route is the model name the client asked for.
	Route string `json:"route"`
	// Backend and Model are the target that answered (or failed last).
	Backend string `json:"backend"`
	Model   string `json:"model"`
	// Attempts is the number of upstream attempts across all targets.
	Attempts int `json:"attempts"`
	// FallbackDepth is the chain index of the target that answered.
	FallbackDepth int `json:"fallback_depth"`
	// Stream tells whether the client asked for a stream.
	Stream bool `json:"stream"`
	// Degraded is true when the answer was the route's degraded answer.
	Degraded bool `json:"degraded"`
	// Status is ok, degraded, client_error, backend_error or cancelled.
	Status string `json:"status"`
	// HTTPStatus is the status code sent to the client.
	HTTPStatus int `json:"http_status"`
	// ErrorClass names the failure; "" on success.
	ErrorClass string `json:"error_class,omitempty"`
	// Start and End bound the request at the gateway.
	Start time.Time `json:"start"`
	End   time.Time `json:"end"`
	// Latency is End - Start.
	Latency time.Duration `json:"latency_ns"`
	// TimeToFirstToken is the time to the first chunk (or whole answer);
	// 0 when none came.
	TimeToFirstToken time.Duration `json:"ttft_ns"`
	// TokensIn and TokensOut come from the backend's usage report.
	TokensIn  int `json:"tokens_in"`
	TokensOut int `json:"tokens_out"`
	// TokensPerSecond is the decode speed.
	TokensPerSecond float64 `json:"tokens_per_second"`
	// Request is the request body, redacted, when capture.prompts allowed
	// it; "" otherwise.
	Request string `json:"request,omitempty"`
	// Response is the answer text, redacted, when capture.responses allowed
	// it; "" otherwise.
	Response string `json:"response,omitempty"`
}
