package gateway

import (
	"context"
	"errors"
	"net"
	"strconv"

	"github.com/flywheel-stack/flywheel/resilience"
)

// errorClass names an upstream failure for telemetry and logs, from a small
// fixed set so that it can label metrics.
func errorClass(err error) string {
	var se *resilience.StatusError
	switch {
	case err == nil:
		return ""
	case errors.Is(err, context.Canceled):
		return "cancelled"
	case resilience.IsRejected(err):
		return "rejected"
	case errors.Is(err, errBusy):
		return "busy"
	case errors.Is(err, errFirstTokenTimeout):
		return "first_token_timeout"
	case errors.Is(err, errIdleTimeout):
		return "idle_timeout"
	case errors.Is(err, errTotalTimeout), errors.Is(err, context.DeadlineExceeded):
		return "timeout"
	case errors.Is(err, errStreamCut), errors.Is(err, errEmptyStream):
		return "stream_cut"
	case errors.Is(err, errNotAnAnswer):
		return "bad_answer"
	case errors.Is(err, errEventTooLarge):
		return "event_too_large"
	case errors.Is(err, ErrShuttingDown):
		return "shutdown"
	case errors.As(err, &se):
		if se.Code == 429 {
			return "status_429"
		}
		return "status_" + strconv.Itoa(se.Code/100) + "xx"
	}
	var ne net.Error
	if errors.As(err, &ne) {
		return "connection"
	}
	return "upstream_error"
}
