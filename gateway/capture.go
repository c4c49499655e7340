package gateway

import "github.com/flywheel-stack/flywheel/telemetry"

// HeaderUser names the end user when the request body has no OpenAI "user"
// field.
const HeaderUser = "X-Flywheel-User"

// capture marks what of the request and its answer the event carries, per
// the capture section, when a store is attached: the request body (the
// writer copies it) and, through captureResponse, the raw answer. Sampling
// is by inference id; redaction and text extraction happen in the writer,
// off the request path.
func (g *Gateway) capture(ev *telemetry.Event, body []byte) {
	if g.feedback == nil {
		return
	}
	kept := g.cfg.Capture.Decide(ev.InferenceID)
	if kept.Prompt {
		ev.Request = body
	}
	if kept.Response {
		ev.ResponseBody = []byte{} // non-nil: capture the answer
	}
}

// maxCapturedStream bounds what is kept of a streamed answer.
const maxCapturedStream = 4 << 20

// captureResponse appends a piece of a streamed answer when the event
// captures it, up to maxCapturedStream bytes.
func captureResponse(ev *telemetry.Event, data []byte) {
	if ev.ResponseBody != nil && len(ev.ResponseBody)+len(data) <= maxCapturedStream {
		ev.ResponseBody = append(ev.ResponseBody, data...)
	}
}
