package gateway

import (
	"io"
	"time"

	"github.com/flywheel-stack/flywheel/clock"
)

// After [DONE] a backend has only the end of its chunked body left to
// send. drainAfterDone reads it, up to drainLimit bytes and for at most
// drainGrace, so that the connection goes back to the backend's pool and
// the backend sees its answer complete. Closing the body unread instead
// makes the transport drop the connection: a new TCP connection for every
// stream, and a backend (vLLM, llama.cpp) that logs each finished stream as
// a client that went away.
const (
	drainLimit = 4 << 10
	// drainGrace bounds how long a backend that holds its body open after
	// [DONE] delays the client's [DONE]; an honest backend ends the body
	// right after it, and then the delay is one read.
	drainGrace = 250 * time.Millisecond
)

// drainAfterDone reads the rest of a stream that ended cleanly. A backend
// that keeps the body open longer is cut off by the attempt's idle timer,
// reset here to the grace period.
func drainAfterDone(up *upstream, idle clock.Timer) {
	idle.Reset(drainGrace)
	_, _ = io.Copy(io.Discard, io.LimitReader(up.reader, drainLimit))
}
