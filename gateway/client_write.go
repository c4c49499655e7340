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
// clock: they are set on the connection.
type clientWriter struct {
	w        http.ResponseWriter
	rc       *http.ResponseController
	idle     time.Duration
	totalBy  time.Time
	deadline time.Time
	// timedOut: a write failed because the client did not take it in
	// time (the client's fault, not the backend's).
	timedOut bool
}

// newClientWriter returns a writer to w for up's answer.
func newClientWriter(w http.ResponseWriter, up *upstream) *clientWriter {
	return &clientWriter{w: w, rc: http.NewResponseController(w), idle: orForever(up.t.backend.Timeouts.Idle), totalBy: up.totalBy}
}

// arm sets the deadline of the next write.
func (c *clientWriter) arm() {
	c.deadline = time.Now().Add(c.idle)
	if c.deadline.After(c.totalBy) {
		c.deadline = c.totalBy
	}
	_ = c.rc.SetWriteDeadline(c.deadline) // not supported (a test recorder): no deadline
}

// write writes p under a fresh deadline.
func (c *clientWriter) write(p []byte) error {
	c.arm()
	_, err := c.w.Write(p)
	return c.check(err)
}

// flush sends what is buffered, under the last write's deadline.
func (c *clientWriter) flush() error { return c.check(c.rc.Flush()) }

// done lifts the deadline once the answer is out: the connection may serve
// another request, which sets its own.
func (c *clientWriter) done() { _ = c.rc.SetWriteDeadline(time.Time{}) }

// check notes whether a failed write failed for its deadline. HTTP/1
// reports the deadline itself; HTTP/2 resets the stream, which reads as a
// closed stream once the deadline has passed.
func (c *clientWriter) check(err error) error {
	if err != nil && (errors.Is(err, os.ErrDeadlineExceeded) || (!c.deadline.IsZero() && !time.Now().Before(c.deadline))) {
		c.timedOut = true
	}
	return err
}
