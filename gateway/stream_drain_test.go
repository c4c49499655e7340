package gateway

import (
	"net/http"
	"strings"
	"testing"
	"time"
)

// TestStreamBackendHoldsBodyAfterDone: a backend that sends [DONE] and then
// keeps its body open must not hold the client's stream; the client still
// gets a clean end, and the backend's request is let go.
func TestStreamBackendHoldsBodyAfterDone(t *testing.T) {
	t.Parallel()
	local, remote := newFakeBackend(t), newFakeBackend(t)
	released := make(chan struct{})
	local.answer(func(w http.ResponseWriter, r *http.Request, _ []byte) {
		w.Header().Set("Content-Type", "text/event-stream")
		_, _ = w.Write([]byte("data: {\"object\":\"chat.completion.chunk\",\"choices\":[{\"index\":0,\"delta\":{\"content\":\"hi\"}}]}\n\ndata: [DONE]\n\n"))
		w.(http.Flusher).Flush()
		<-r.Context().Done() // never ends the body by itself
		close(released)
	})
	h := newHarness(t, twoTargets, nil, local, remote)
	resp, got := h.post(t, "/v1/chat/completions", `{"model":"coder","stream":true}`)
	if resp.StatusCode != 200 || !strings.HasSuffix(got, "data: [DONE]\n\n") || strings.Contains(got, `"error"`) {
		t.Fatalf("%d\n%s", resp.StatusCode, got)
	}
	select {
	case <-released:
	case <-time.After(10 * time.Second):
		t.Fatal("the backend's request was never let go")
	}
	if tot := h.gw.Breakers().Get("local/qwen2.5-coder-7b").Snapshot().Totals; tot.Successes != 1 || tot.Failures != 0 {
		t.Fatalf("a stream that reached [DONE] is a success: %+v", tot)
	}
}
