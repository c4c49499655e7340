package gateway

import (
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/flywheel-stack/flywheel/backend"
	"github.com/flywheel-stack/flywheel/clock"
)

// slowClient is a ResponseWriter whose first body write blocks until
// release is closed, telling writing when it starts: a client that pauses
// its reads.
type slowClient struct {
	*httptest.ResponseRecorder
	once             sync.Once
	writing, release chan struct{}
}

func (c *slowClient) Write(p []byte) (int, error) {
	first := false
	c.once.Do(func() { first = true })
	if first {
		close(c.writing)
		<-c.release
	}
	return c.ResponseRecorder.Write(p)
}

// TestIdleTimeoutIsTheBackendsSilence: the idle timeout measures how long
// the backend is silent, not how long a write to a slow client takes. A
// client that pauses 8 s, then a backend gap of 5 s, with idle 10 s: the
// stream ends cleanly and the backend is not charged.
func TestIdleTimeoutIsTheBackendsSilence(t *testing.T) {
	t.Parallel()
	local, remote := newFakeBackend(t), newFakeBackend(t)
	next := make(chan struct{})
	local.answer(func(w http.ResponseWriter, r *http.Request, _ []byte) {
		w.Header().Set("Content-Type", "text/event-stream")
		fmt.Fprint(w, "data: {\"object\":\"chat.completion.chunk\",\"choices\":[{\"index\":0,\"delta\":{\"content\":\"one \"}}]}\n\n")
		w.(http.Flusher).Flush()
		select {
		case <-next:
		case <-r.Context().Done():
			return
		}
		fmt.Fprint(w, "data: {\"object\":\"chat.completion.chunk\",\"choices\":[{\"index\":0,\"delta\":{\"content\":\"two\"}}]}\n\ndata: [DONE]\n\n")
	})
	clk := clock.NewFake(t0)
	yaml := strings.Replace(defaultTargets, "    url: {a}\n", "    url: {a}\n    timeouts: {idle: 10s}\n", 1)
	h := newHarnessOn(t, clk, yaml, nil, local, remote)
	client := &slowClient{ResponseRecorder: httptest.NewRecorder(), writing: make(chan struct{}), release: make(chan struct{})}
	req := httptest.NewRequest(http.MethodPost, "/v1/chat/completions",
		strings.NewReader(`{"model":"coder","stream":true,"stream_options":{"include_usage":false},"messages":[]}`))
	done := make(chan struct{})
	go func() {
		defer close(done)
		h.gw.serveProxy(client, req, backend.Chat)
	}()
	ctx, cancel := context.WithTimeout(context.Background(), hangGuard)
	defer cancel()
	select {
	case <-client.writing:
	case <-ctx.Done():
		t.Fatal("the first event never reached the client")
	}
	clk.Advance(8 * time.Second) // the client's pause, while its write blocks
	close(client.release)
	clk.Advance(5 * time.Second) // then the backend's gap before its next event
	close(next)
	select {
	case <-done:
	case <-ctx.Done():
		t.Fatal("the stream did not end")
	}
	body := client.Body.String()
	if !strings.Contains(body, "two") || !strings.Contains(body, "[DONE]") || strings.Contains(body, "upstream_timeout") {
		t.Fatalf("the stream was cut by the idle timeout: %s", body)
	}
	if ev := h.lastEvent(t, 1); ev.Status != "ok" {
		t.Fatalf("event %+v, want ok", ev)
	}
}
