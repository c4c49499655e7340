package gateway

import (
	"net/http"
	"strings"
	"testing"
)

// TestStreamKeepAliveBeforeFirstToken: comment events (": keep-alive") a
// backend sends before its first token do not commit the gateway to it, so
// a backend that only pings still hits the first-token timeout and the
// request falls back.
func TestStreamKeepAliveBeforeFirstToken(t *testing.T) {
	t.Parallel()
	local, remote := newFakeBackend(t), newFakeBackend(t)
	local.answer(func(w http.ResponseWriter, r *http.Request, _ []byte) {
		w.Header().Set("Content-Type", "text/event-stream")
		_, _ = w.Write([]byte(": keep-alive\n\n: still loading\n\n"))
		w.(http.Flusher).Flush()
		<-r.Context().Done()
	})
	remote.answer(streamAnswer(3, -1))
	yaml := strings.Replace(twoTargets, "    breaker: {consecutive_failures: 3, open_for: 1h}",
		"    breaker: {consecutive_failures: 3, open_for: 1h}\n    timeouts: {first_token: 100ms}\n", 1)
	h := newHarness(t, yaml, nil, local, remote)
	resp, got := h.post(t, "/v1/chat/completions", `{"model":"coder","stream":true}`)
	if resp.StatusCode != 200 || resp.Header.Get(HeaderBackend) != "remote" || !strings.HasSuffix(got, "data: [DONE]\n\n") ||
		strings.Contains(got, "keep-alive") {
		t.Fatalf("%d %s\n%s", resp.StatusCode, resp.Header.Get(HeaderBackend), got)
	}
	if ev := h.lastEvent(t, 1); ev.FallbackDepth != 1 {
		t.Fatalf("event %+v", ev)
	}

	// Pings and then tokens: the client gets the tokens, and the time to
	// first token is the first token's.
	local.answer(func(w http.ResponseWriter, r *http.Request, body []byte) {
		w.Header().Set("Content-Type", "text/event-stream")
		_, _ = w.Write([]byte(": keep-alive\n\n"))
		streamAnswer(2, -1)(w, r, body)
	})
	resp, got = h.post(t, "/v1/chat/completions", `{"model":"coder","stream":true}`)
	if resp.Header.Get(HeaderBackend) != "local" || strings.Count(got, "chat.completion.chunk") != 2 || !strings.HasSuffix(got, "data: [DONE]\n\n") {
		t.Fatalf("%s\n%s", resp.Header.Get(HeaderBackend), got)
	}
}
