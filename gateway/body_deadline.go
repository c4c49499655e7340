package gateway

import (
	"errors"
	"io"
	"net/http"
	"os"
	"time"
)

// errBodyTimeout is the answer to a client that did not send its whole
// body in time.
var errBodyTimeout = apiError{Status: http.StatusRequestTimeout, Type: "invalid_request_error", Code: "request_timeout",
	Message: "The request body did not arrive in time (server.body_timeout); the connection is closed."}

// BodyDeadline bounds how long a client may take to send a request body:
// from the time next is called, the connection's reads have a deadline
// timeout away. A client still sending then gets 408 in OpenAI's shape and
// its connection is closed; the handler reading the body sees an error, as
// when a client goes away, and writes nothing more. The deadline is lifted
// once the body has been read, so it never bounds the response (a long
// stream included): net/http's own ReadTimeout would, as it also cancels
// the request when its background read of an idle connection times out.
// A request without a body, or on a ResponseWriter that cannot set read
// deadlines, is served as it is.
func BodyDeadline(next http.Handler, timeout time.Duration) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Body == nil || r.Body == http.NoBody || r.ContentLength == 0 {
			next.ServeHTTP(w, r)
			return
		}
		d := &deadlineBody{w: w, body: r.Body, rc: *http.NewResponseController(w)}
		if d.rc.SetReadDeadline(time.Now().Add(timeout)) != nil {
			next.ServeHTTP(w, r)
			return
		}
		// A shallow copy, as http.MaxBytesHandler makes: net/http reads
		// the original request's body after the handler.
		d.req = *r
		d.req.Body = d
		next.ServeHTTP(w, &d.req)
	})
}

// deadlineBody is a request body read under a deadline; it shares its
// allocation with the request copy that carries it.
type deadlineBody struct {
	req  http.Request
	w    http.ResponseWriter
	rc   http.ResponseController
	body io.ReadCloser
	done bool // the deadline was lifted or fired
}

// Read reads the body. At its end it lifts the deadline; when the deadline
// fires it answers 408 and asks net/http to close the connection.
func (d *deadlineBody) Read(p []byte) (int, error) {
	n, err := d.body.Read(p)
	if err == nil || d.done {
		return n, err
	}
	d.done = true
	if errors.Is(err, os.ErrDeadlineExceeded) {
		d.w.Header().Set("Connection", "close")
		writeError(d.w, errBodyTimeout)
		return n, err
	}
	_ = d.rc.SetReadDeadline(time.Time{}) // io.EOF, or the client went away
	return n, err
}

// Close closes the body.
func (d *deadlineBody) Close() error { return d.body.Close() }
