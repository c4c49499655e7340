package gateway

import (
	"io"
	"time"
)

// After [DONE] a backend has only the end of its chunked body left to
// send. drainAfterDone reads it, up to drainLimit bytes and for at most
// drainGrace (or the idle timeout, when shorter), so that the connection
// goes back to the backend's pool and the backend sees its answer complete.
// Closing the body unread instead makes the transport drop the connection:
// a new TCP connection for every stream, and a backend (vLLM, llama.cpp)
// that logs each finished stream as a client that went away.
const (
	drainLimit = 4 << 10
	drainGrace = 100 * time.Millisecond
)

// drainAfterDone reads the rest of a stream that ended cleanly. A backend
// that keeps the body open longer is cut off by the attempt's idle timer,
// reset here to the grace period.
func drainAfterDone(up *upstream, idle *time.Timer, idleFor time.Duration) {
	idle.Reset(min(idleFor, drainGrace))
	_, _ = io.Copy(io.Discard, io.LimitReader(up.reader, drainLimit))
}
