package gateway

import (
	"encoding/json"
	"errors"
	"fmt"
	"mime"
	"net/http"
	"strings"
)

// errNotAnAnswer fails an attempt whose 2xx response is not an answer: an
// HTML error page behind a proxy, a truncated or empty body, a stream that
// is not SSE. Such a response is the backend's failure (the breaker counts
// it) and the route moves on, rather than hand the client a 200 it cannot
// parse.
var errNotAnAnswer = errors.New("the backend's 2xx response is not an answer")

// checkAnswer reports why a non-streamed 2xx body is not an answer: its
// Content-Type, when it has one, is not JSON, or the body does not parse as
// JSON.
func checkAnswer(h http.Header, body []byte) error {
	if ct := h.Get("Content-Type"); ct != "" && !isJSONType(ct) {
		return fmt.Errorf("%w: Content-Type %q", errNotAnAnswer, ct)
	}
	if !json.Valid(body) {
		return fmt.Errorf("%w: its body (%d bytes) is not valid JSON", errNotAnAnswer, len(body))
	}
	return nil
}

// checkFirstEvent reports why a stream's first data event is not an
// answer's: its data is neither JSON nor the [DONE] marker.
func checkFirstEvent(event []byte) error {
	if data := eventData(event); !isDoneData(data) && !json.Valid(data) {
		return fmt.Errorf("%w: the stream's first event is not a JSON chunk", errNotAnAnswer)
	}
	return nil
}

// isJSONType reports whether a Content-Type is JSON: application/json or
// a +json type.
func isJSONType(ct string) bool {
	if strings.HasPrefix(ct, "application/json") && (len(ct) == len("application/json") || ct[len("application/json")] == ';') {
		return true // the common case, without parsing
	}
	mt, _, err := mime.ParseMediaType(ct)
	return err == nil && (mt == "application/json" || strings.HasSuffix(mt, "+json"))
}
