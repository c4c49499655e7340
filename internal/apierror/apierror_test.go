package apierror

import (
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"testing"
)

// TestWriteIsJSON checks that messages Go would quote with \x, \a or \U
// escapes (which JSON parsers refuse) come out as JSON that decodes back
// to the same text.
func TestWriteIsJSON(t *testing.T) {
	t.Parallel()
	for _, msg := range []string{"plain", "bell \a tab \t", "nul \x00", "emoji 😀", "line sep \u2028", `quote " and \ backslash`} {
		rec := httptest.NewRecorder()
		Write(rec, Error{Status: http.StatusBadRequest, Message: msg, Type: "invalid_request_error", Code: "c"})
		var got struct {
			Error struct {
				Message string  `json:"message"`
				Param   *string `json:"param"`
				Code    string  `json:"code"`
			} `json:"error"`
		}
		if err := json.Unmarshal(rec.Body.Bytes(), &got); err != nil {
			t.Fatalf("message %q: the body %s is not JSON: %v", msg, rec.Body.Bytes(), err)
		}
		if got.Error.Message != msg || got.Error.Param != nil || got.Error.Code != "c" || rec.Code != http.StatusBadRequest {
			t.Errorf("message %q: got %+v, status %d", msg, got.Error, rec.Code)
		}
	}
}
