// Package apierror writes errors in OpenAI's shape,
// {"error":{"message":...,"type":...,"param":...,"code":...}}, for the
// gateway and the feedback endpoint alike.
package apierror

import (
	"net/http"
	"strconv"

	"github.com/flywheel-stack/flywheel/internal/jsonstr"
)

// Error is an error in OpenAI's shape, with the HTTP status it is sent
// with.
type Error struct {
	// Status is the HTTP status code.
	Status int
	// Message says what is wrong and, where it can, what to do.
	Message string
	// Type is OpenAI's error type: invalid_request_error, server_error, ...
	Type string
	// Param names the request field at fault; "" sends null.
	Param string
	// Code is a stable machine-readable code; "" sends null.
	Code string
}

// Write writes e as the response.
func Write(w http.ResponseWriter, e Error) {
	buf := make([]byte, 0, 128+len(e.Message))
	buf = append(buf, `{"error":{"message":`...)
	buf = jsonstr.Append(buf, e.Message)
	buf = append(buf, `,"type":`...)
	buf = jsonstr.Append(buf, e.Type)
	buf = append(buf, `,"param":`...)
	if e.Param == "" {
		buf = append(buf, "null"...)
	} else {
		buf = jsonstr.Append(buf, e.Param)
	}
	buf = append(buf, `,"code":`...)
	if e.Code == "" {
		buf = append(buf, "null"...)
	} else {
		buf = jsonstr.Append(buf, e.Code)
	}
	buf = append(buf, "}}\n"...)
	h := w.Header()
	h.Set("Content-Type", "application/json")
	h.Set("Content-Length", strconv.Itoa(len(buf)))
	w.WriteHeader(e.Status)
	_, _ = w.Write(buf)
}

// BadRequest is a 400 invalid_request_error.
func BadRequest(msg, param, code string) Error {
	return Error{Status: http.StatusBadRequest, Message: msg, Type: "invalid_request_error", Param: param, Code: code}
}
