package simulate

import (
	"net/http"
	"strconv"
)

// apiError is an error in OpenAI's shape:
// {"error":{"message":...,"type":...,"param":...,"code":...}}.
type apiError struct {
	status                    int
	message, typ, param, code string
}

func invalidRequest(status int, message, param, code string) apiError {
	return apiError{status: status, message: message, typ: "invalid_request_error", param: param, code: code}
}

// injectedError is the answer error_rate gives, shaped like OpenAI's own
// errors for the status.
func injectedError(status int) apiError {
	switch {
	case status == http.StatusTooManyRequests:
		return apiError{status: status, message: "Rate limit reached (simulated).", typ: "requests", code: "rate_limit_exceeded"}
	case status == http.StatusServiceUnavailable:
		return apiError{status: status, message: "The server is overloaded or not ready yet (simulated).", typ: "server_error"}
	case status >= 500:
		return apiError{status: status, message: "The server had an error while processing your request (simulated).", typ: "server_error"}
	default:
		return apiError{status: status, message: "Simulated error: " + http.StatusText(status) + ".", typ: "invalid_request_error"}
	}
}

var (
	contentTypeJSON = []string{"application/json"}
	contentTypeSSE  = []string{"text/event-stream"}
	noCache         = []string{"no-cache"}
)

// appendAPIError appends e's JSON body.
func appendAPIError(buf []byte, e apiError) []byte {
	buf = append(buf, `{"error":{"message":`...)
	buf = appendJSONString(buf, e.message)
	buf = append(buf, `,"type":`...)
	buf = appendJSONString(buf, e.typ)
	buf = append(buf, `,"param":`...)
	buf = appendNullable(buf, e.param)
	buf = append(buf, `,"code":`...)
	buf = appendNullable(buf, e.code)
	return append(buf, "}}\n"...)
}

func appendNullable(buf []byte, s string) []byte {
	if s == "" {
		return append(buf, "null"...)
	}
	return appendJSONString(buf, s)
}

// writeJSON sends a complete JSON body with its length.
func writeJSON(w http.ResponseWriter, status int, body []byte) {
	h := w.Header()
	h["Content-Type"] = contentTypeJSON
	h["Content-Length"] = []string{strconv.Itoa(len(body))}
	w.WriteHeader(status)
	_, _ = w.Write(body)
}

// setRetryAfter adds Retry-After to a 429 or 503 when the faults ask for it.
func setRetryAfter(w http.ResponseWriter, status, seconds int) {
	if seconds > 0 && (status == http.StatusTooManyRequests || status == http.StatusServiceUnavailable) {
		w.Header()["Retry-After"] = []string{strconv.Itoa(seconds)}
	}
}

// loadingBody is llama.cpp's answer while its model loads.
const loadingBody = `{"error":{"code":503,"message":"Loading model","type":"unavailable_error"}}` + "\n"

// healthyBody is llama.cpp's /health answer once ready.
const healthyBody = `{"status":"ok"}` + "\n"
