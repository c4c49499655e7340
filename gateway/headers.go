package gateway

// Response headers on every proxied call (DESIGN.md's fixed interface).
const (
	// HeaderInferenceID carries the request's time-ordered inference id,
	// sent before the backend answers.
	HeaderInferenceID = "X-Flywheel-Inference-Id"
	// HeaderEpisodeID groups inferences; a client may send it, and gets it
	// back (a new one when it sent none).
	HeaderEpisodeID = "X-Flywheel-Episode-Id"
	// HeaderBackend names the backend that answered.
	HeaderBackend = "X-Flywheel-Backend"
	// HeaderAttempts is the number of upstream attempts made.
	HeaderAttempts = "X-Flywheel-Attempts"
	// HeaderDegraded is "true" when the answer came from the degradation
	// path.
	HeaderDegraded = "X-Flywheel-Degraded"
)
