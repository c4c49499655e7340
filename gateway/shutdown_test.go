package gateway

import (
	"bufio"
	"context"
	"io"
	"net/http"
	"strings"
	"testing"

	"github.com/flywheel-stack/flywheel/telemetry"
)

// TestCloseStreamsEndsStreamsWithAnErrorEvent: when the server's shutdown
// grace runs out, an open stream ends with an error event (and no [DONE])
// rather than a cut connection, its backend request is cancelled, and the
// backend's breaker does not count it.
func TestCloseStreamsEndsStreamsWithAnErrorEvent(t *testing.T) {
	t.Parallel()
	const chunk = "data: {\"object\":\"chat.completion.chunk\",\"choices\":[{\"index\":0,\"delta\":{\"content\":\"w\"}}]}\n\n"
	local, remote := newFakeBackend(t), newFakeBackend(t)
	local.answer(func(w http.ResponseWriter, r *http.Request, _ []byte) {
		w.Header().Set("Content-Type", "text/event-stream")
		_, _ = w.Write([]byte(chunk))
		w.(http.Flusher).Flush()
		<-r.Context().Done() // a long answer, never finished
		local.cancel <- struct{}{}
	})
	h := newHarness(t, twoTargets, nil, local, remote)
	ctx, cancel := context.WithTimeout(context.Background(), hangGuard)
	defer cancel()
	req, _ := http.NewRequestWithContext(ctx, http.MethodPost, h.srv.URL+"/v1/chat/completions",
		strings.NewReader(`{"model":"coder","stream":true}`))
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	br := bufio.NewReader(resp.Body)
	first, err := readEvent(br, nil, 1<<20)
	if err != nil || string(first) != chunk {
		t.Fatalf("first event %q, %v", first, err)
	}

	if err := h.gw.CloseStreams(ctx); err != nil {
		t.Fatalf("CloseStreams: %v", err)
	}
	rest, err := io.ReadAll(br)
	if err != nil {
		t.Fatal(err)
	}
	if got := string(rest); strings.Contains(got, "[DONE]") ||
		got != `data: {"error":{"message":"The gateway is shutting down; this answer is incomplete.","type":"server_error","param":null,"code":"server_shutdown"}}`+"\n\n" {
		t.Fatalf("after CloseStreams the client got %q", got)
	}
	select {
	case <-local.cancel:
	case <-ctx.Done():
		t.Fatal("the backend request was not cancelled")
	}
	if tot := h.gw.Breakers().Get("local/qwen2.5-coder-7b").Snapshot().Totals; tot.Failures != 0 {
		t.Fatalf("a shutdown counted against the backend: %+v", tot)
	}
	if ev := h.lastEvent(t, 1); ev.Status != telemetry.StatusCancelled || ev.ErrorClass != "shutdown" {
		t.Fatalf("event %+v", ev)
	}

	// A stream that starts afterwards ends the same way at once.
	_, got := h.post(t, "/v1/chat/completions", `{"model":"coder","stream":true}`)
	if !strings.HasPrefix(got, chunk) || !strings.HasSuffix(got, `"code":"server_shutdown"}}`+"\n\n") {
		t.Fatalf("a stream after CloseStreams got %q", got)
	}
	if err := h.gw.CloseStreams(ctx); err != nil {
		t.Fatalf("a second CloseStreams: %v", err)
	}
}
