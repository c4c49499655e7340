package simulate

import (
	"encoding/json"
	"net/http"
	"strings"
	"testing"
)

// TestBrokenAnswer: the broken_answer fault answers API requests with a 200
// that is not an answer, as a proxy, a crashed worker or a cut connection
// would: cut JSON, an HTML page, or nothing; for stream requests too.
func TestBrokenAnswer(t *testing.T) {
	t.Parallel()
	for _, tt := range []struct {
		kind        string
		contentType string
		check       func(body string) bool
	}{
		{BrokenTruncated, "application/json", func(b string) bool {
			return strings.HasPrefix(b, `{"id":"chatcmpl-`) && !json.Valid([]byte(b))
		}},
		{BrokenHTML, "text/html; charset=utf-8", func(b string) bool { return strings.HasPrefix(b, "<!DOCTYPE html>") }},
		{BrokenEmpty, "application/json", func(b string) bool { return b == "" }},
	} {
		t.Run(tt.kind, func(t *testing.T) {
			t.Parallel()
			h := start(t, Config{Models: []string{"m"}, Faults: Faults{BrokenAnswer: tt.kind}})
			for _, req := range []struct{ path, body string }{
				{"/v1/chat/completions", chatBody},
				{"/v1/chat/completions", `{"model":"m","stream":true,"messages":[{"role":"user","content":"x"}]}`},
				{"/v1/completions", `{"model":"m","prompt":"x"}`},
				{"/v1/embeddings", `{"model":"m","input":"x"}`},
			} {
				r := h.do("POST", req.path, req.body)
				if r.status != http.StatusOK || r.header.Get("Content-Type") != tt.contentType || !tt.check(string(r.body)) {
					t.Errorf("%s %s: %d %q %q", req.path, req.body, r.status, r.header.Get("Content-Type"), r.body)
				}
			}
			// /health and /v1/models still answer properly.
			if r := h.do("GET", "/v1/models", ""); r.status != http.StatusOK || !json.Valid(r.body) {
				t.Errorf("/v1/models under broken_answer: %d %s", r.status, r.body)
			}
			if st := h.srv.Stats(); st.BrokenAnswers != 4 || st.Completed != 1 {
				t.Errorf("stats %+v", st)
			}
		})
	}
}

func TestBrokenAnswerValidated(t *testing.T) {
	t.Parallel()
	if _, err := New(Config{Faults: Faults{BrokenAnswer: "garbled"}}); err == nil ||
		!strings.Contains(err.Error(), `broken_answer "garbled"`) {
		t.Fatalf("New: %v", err)
	}
	h := start(t, Config{Models: []string{"m"}})
	if r := h.do("POST", "/_sim/faults", `{"broken_answer":"html"}`); r.status != http.StatusOK ||
		!strings.Contains(string(r.body), `"broken_answer":"html"`) {
		t.Fatalf("POST /_sim/faults: %d %s", r.status, r.body)
	}
	if r := h.do("POST", "/_sim/faults", `{"broken_answer":"nope"}`); r.status != http.StatusBadRequest {
		t.Fatalf("an unknown kind: %d %s", r.status, r.body)
	}
}
