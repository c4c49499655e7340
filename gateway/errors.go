package gateway

import (
	"net/http"

	"github.com/flywheel-stack/flywheel/internal/apierror"
)

// apiError is an error in OpenAI's shape:
// {"error":{"message":...,"type":...,"param":...,"code":...}}.
type apiError = apierror.Error

// writeError writes e in OpenAI's error shape.
func writeError(w http.ResponseWriter, e apiError) { apierror.Write(w, e) }

func badRequest(msg, param, code string) apiError { return apierror.BadRequest(msg, param, code) }
