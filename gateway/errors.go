package gateway

import (
	"errors"
	"net/http"

	"github.com/flywheel-stack/flywheel/internal/apierror"
)

// ErrShuttingDown is the cause the gateway's CloseStreams gives the streams
// it ends, and a server the contexts of the requests it cuts when its
// shutdown grace runs out (context.Cause tells it from a client that went
// away), so that a stream ends with an error event and is not charged to
// its backend.
var ErrShuttingDown = errors.New("the server is shutting down")

// apiError is an error in OpenAI's shape:
// {"error":{"message":...,"type":...,"param":...,"code":...}}.
type apiError = apierror.Error

// writeError writes e in OpenAI's error shape.
func writeError(w http.ResponseWriter, e apiError) { apierror.Write(w, e) }

func badRequest(msg, param, code string) apiError { return apierror.BadRequest(msg, param, code) }
