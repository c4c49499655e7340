package gateway

import (
	"errors"
	"net/http"
	"os"
	"time"
)

// clientWriter writes an answer to the client with a deadline on every
// write: the backend's idle timeout from now, never past the attempt's total
// timeout. A client that stops reading (its TCP window full) would
// otherwise block the write, and with it the backend's concurrency slot and
// the upstream request, for as long as it likes. Deadlines are on the wall
// clock: they are set on the connection. The last one also bounds the
// server's own flush after the handler returns; then the server lifts it
// before the connection serves another request.
type clientWriter struct {
	w        http.ResponseWriter
	deadline interface{ SetWriteDeadline(time.Time) error } // nil: not supported
	flushErr interface{ FlushError() error }                // else flusher, else no flushing
	flusher  http.Flusher
	idle     time.Duration
	totalBy  time.Time
	at       time.Time // the deadline in force
	// timedOut: a write failed because the client did not take it in
	// time (the client's fault, not the backend's).
	timedOut bool
}

// clientWriter returns the writer of up's answer to w (held in up, so that
// it costs no allocation of its own).
func (up *upstream) clientWriter(w http.ResponseWriter) *clientWriter {
	up.cw = clientWriter{w: w, idle: orForever(up.t.backend.Timeouts.Idle), totalBy: up.totalBy}
	cw := &up.cw
	// What http.ResponseController does per call, found once and without
	// its allocation for an unsupported call.
	for rw := w; rw != nil; {
		if cw.deadline == nil {
			cw.deadline, _ = rw.(interface{ SetWriteDeadline(time.Time) error })
		}
		if cw.flushErr == nil && cw.flusher == nil {
			switch f := rw.(type) {
			case interface{ FlushError() error }:
				cw.flushErr = f
			case http.Flusher:
				cw.flusher = f
			}
		}
		u, ok := rw.(interface{ Unwrap() http.ResponseWriter })
		if !ok {
			break
		}
		rw = u.Unwrap()
	}
	return cw
}

// write writes p under a fresh deadline (past totalBy only when totalBy is
// zero: an answer whose backend slot is already free).
func (c *clientWriter) write(p []byte) error {
	if c.deadline != nil {
		c.at = time.Now().Add(c.idle)
		if !c.totalBy.IsZero() && c.at.After(c.totalBy) {
			c.at = c.totalBy
		}
		_ = c.deadline.SetWriteDeadline(c.at)
	}
	_, err := c.w.Write(p)
	return c.check(err)
}

// flush sends what is buffered, under the last write's deadline.
func (c *clientWriter) flush() error {
	switch {
	case c.flushErr != nil:
		return c.check(c.flushErr.FlushError())
	case c.flusher != nil:
		c.flusher.Flush()
	}
	return nil
}

// check notes whether a failed write failed for its deadline. HTTP/1
// reports the deadline itself; HTTP/2 resets the stream, which reads as a
// closed stream once the deadline has passed.
func (c *clientWriter) check(err error) error {
	if err != nil && (errors.Is(err, os.ErrDeadlineExceeded) || (!c.at.IsZero() && !time.Now().Before(c.at))) {
		c.timedOut = true
	}
	return err
}
