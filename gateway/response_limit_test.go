package gateway

import (
	"bytes"
	"net/http"
	"strings"
	"testing"
)

// TestResponseTooLarge: a non-streamed answer over the buffer limit is a
// failed attempt (the next target answers), never a truncated 200.
func TestResponseTooLarge(t *testing.T) {
	t.Parallel()
	local, remote := newFakeBackend(t), newFakeBackend(t)
	huge := bytes.Repeat([]byte("a"), maxResponseBody+1)
	local.answer(func(w http.ResponseWriter, _ *http.Request, _ []byte) {
		w.Header().Set("Content-Type", "application/json")
		_, _ = w.Write(huge)
	})
	remote.answer(okAnswer("from remote"))
	h := newHarness(t, twoTargets, nil, local, remote)
	resp, got := h.post(t, "/v1/chat/completions", `{"model":"coder"}`)
	if resp.StatusCode != 200 || resp.Header.Get(HeaderBackend) != "remote" || !strings.Contains(got, "from remote") {
		t.Fatalf("%d %s: %d bytes", resp.StatusCode, resp.Header.Get(HeaderBackend), len(got))
	}
}
