package gateway

import (
	"errors"
	"net/http"
	"strconv"
)

// ErrShuttingDown is the cause a server gives the contexts of the requests
// it cuts when its shutdown grace runs out (context.Cause tells it from a
// client that went away), so that a stream can end with an error event.
var ErrShuttingDown = errors.New("the server is shutting down")

// apiError is an error in OpenAI's shape:
// {"error":{"message":...,"type":...,"param":...,"code":...}}.
type apiError struct {
	Status  int
	Message string
	Type    string
	Param   string
	Code    string
}

// writeError writes e in OpenAI's error shape.
func writeError(w http.ResponseWriter, e apiError) {
	buf := make([]byte, 0, 128+len(e.Message))
	buf = append(buf, `{"error":{"message":`...)
	buf = appendJSONString(buf, e.Message)
	buf = append(buf, `,"type":`...)
	buf = appendJSONString(buf, e.Type)
	buf = append(buf, `,"param":`...)
	if e.Param == "" {
		buf = append(buf, "null"...)
	} else {
		buf = appendJSONString(buf, e.Param)
	}
	buf = append(buf, `,"code":`...)
	if e.Code == "" {
		buf = append(buf, "null"...)
	} else {
		buf = appendJSONString(buf, e.Code)
	}
	buf = append(buf, "}}\n"...)
	h := w.Header()
	h.Set("Content-Type", "application/json")
	h.Set("Content-Length", strconv.Itoa(len(buf)))
	w.WriteHeader(e.Status)
	_, _ = w.Write(buf)
}

func badRequest(msg, param, code string) apiError {
	return apiError{Status: http.StatusBadRequest, Message: msg, Type: "invalid_request_error", Param: param, Code: code}
}
