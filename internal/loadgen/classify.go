package loadgen

import (
	"context"
	"errors"
	"io"
	"net"
	"os"
	"strconv"
	"syscall"
)

// Error classes a Result can carry. A request that got a complete answer
// has the empty class.
const (
	// ClassConnect: the connection could not be opened (refused, no route).
	ClassConnect = "connect"
	// ClassTimeout: the request ran past its timeout.
	ClassTimeout = "timeout"
	// ClassReset: the server closed or reset the connection mid-answer.
	ClassReset = "reset"
	// ClassIO: any other transport or read error.
	ClassIO = "io"
	// ClassStreamError: a stream carried an SSE error event.
	ClassStreamError = "stream_error"
	// ClassStreamCut: a stream ended without its [DONE] marker.
	ClassStreamCut = "stream_cut"
	// ClassBadAnswer: a 200 answer that is not what was asked for (no
	// event stream when streaming, an empty body).
	ClassBadAnswer = "bad_answer"
	// ClassOverload: the request was not sent, because the saturation
	// search already had more in flight than the step's bounds allow.
	ClassOverload = "overload"
	// ClassCancelled: the run ended before the answer did; not counted
	// against the server.
	ClassCancelled = "cancelled"
)

// statusClass is the class of an HTTP error status: "status_503".
func statusClass(code int) string { return "status_" + strconv.Itoa(code) }

// classify names the class of a transport or read error. runCtx is the
// run's own context, so that the end of a run is told apart from a
// request's timeout.
func classify(runCtx context.Context, err error) string {
	var ne net.Error
	var oe *net.OpError
	switch {
	case err == nil:
		return ""
	case runCtx.Err() != nil && errors.Is(err, context.Canceled):
		return ClassCancelled
	case errors.Is(err, context.DeadlineExceeded), errors.Is(err, os.ErrDeadlineExceeded),
		errors.As(err, &ne) && ne.Timeout():
		return ClassTimeout
	case errors.Is(err, syscall.ECONNREFUSED), errors.Is(err, syscall.EHOSTUNREACH), errors.Is(err, syscall.ENETUNREACH),
		errors.As(err, &oe) && oe.Op == "dial":
		return ClassConnect
	case errors.Is(err, syscall.ECONNRESET), errors.Is(err, syscall.EPIPE), errors.Is(err, io.EOF), errors.Is(err, io.ErrUnexpectedEOF):
		return ClassReset
	}
	return ClassIO
}

// countsAgainst reports whether a class is the server's failure (cancelled
// requests are the run's own doing).
func countsAgainst(class string) bool { return class != "" && class != ClassCancelled }
