package server

import (
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"
)

// TestDeepCheckFromConfig turns on a backend's deep_check: the server adds a
// non-critical backend-NAME-generation check that sends a one-token
// generation for the route's model, and a failing generation makes
// readiness warn, not fail.
func TestDeepCheckFromConfig(t *testing.T) {
	var generations atomic.Int64
	var failing atomic.Bool
	backend := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		switch r.URL.Path {
		case "/v1/models":
			fmt.Fprint(w, `{"object":"list","data":[{"id":"m","object":"model"}]}`)
		case "/v1/chat/completions":
			var req struct {
				Model     string `json:"model"`
				MaxTokens int    `json:"max_tokens"`
			}
			if err := json.NewDecoder(r.Body).Decode(&req); err != nil || req.Model != "m" || req.MaxTokens != 1 {
				http.Error(w, "want model m, max_tokens 1", http.StatusBadRequest)
				return
			}
			generations.Add(1)
			if failing.Load() {
				w.WriteHeader(http.StatusInternalServerError)
				fmt.Fprint(w, `{"error":{"message":"CUDA out of memory"}}`)
				return
			}
			fmt.Fprint(w, `{"id":"c","object":"chat.completion","choices":[{"index":0,"message":{"role":"assistant","content":"ok"}}]}`)
		default:
			http.NotFound(w, r)
		}
	}))
	defer backend.Close()
	cfg := fmt.Sprintf(`
health: {interval: 1h}
backends:
  - {name: b, kind: vllm, url: %q, deep_check: {enabled: true, interval: 1h}}
  - {name: quiet, kind: vllm, url: %q}
routes:
  - {name: chat, targets: [{backend: b, model: m}, {backend: quiet, model: m}]}
`, backend.URL, backend.URL)

	failing.Store(true)
	base := startServer(t, cfg, nil)
	var code int
	var body string
	waitFor(t, "the deep check to run", func() bool {
		code, body = get(t, base+"/readyz?verbose")
		return strings.Contains(body, "[-]backend-b-generation failed") && !strings.Contains(body, "not yet checked")
	})
	if code != http.StatusOK || !strings.Contains(body, "CUDA out of memory") || !strings.Contains(body, "(non-critical)") ||
		!strings.Contains(body, "[+]backend-b ok") {
		t.Fatalf("a failing deep check must make readiness warn (200) with its reason:\n%d %s", code, body)
	}
	if strings.Contains(body, "backend-quiet-generation") {
		t.Fatalf("a backend without deep_check got one:\n%s", body)
	}
	if n := generations.Load(); n != 1 {
		t.Fatalf("%d generations, want exactly one (one backend has deep_check, the interval is an hour)", n)
	}

	failing.Store(false)
	base = startServer(t, cfg, nil)
	waitFor(t, "the deep check to pass", func() bool {
		code, body = get(t, base+"/readyz/backend-b-generation")
		return code == http.StatusOK
	})
}
