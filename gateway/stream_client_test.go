package gateway

import (
	"errors"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/flywheel-stack/flywheel/telemetry"
)

// brokenClient is a ResponseWriter whose connection breaks after n writes,
// while the request's context stays alive: the order in which a server can
// learn that its client went away.
type brokenClient struct {
	*httptest.ResponseRecorder
	writes int
}

func (b *brokenClient) Write(p []byte) (int, error) {
	if b.writes--; b.writes < 0 {
		return 0, errors.New("write: broken pipe")
	}
	return b.ResponseRecorder.Write(p)
}

func (b *brokenClient) FlushError() error {
	if b.writes < 0 {
		return errors.New("write: broken pipe")
	}
	b.ResponseRecorder.Flush()
	return nil
}

// TestStreamClientWriteFailureIsNotABackendFailure: a stream whose client
// can no longer be written to ends as a cancellation, and the backend's
// breaker does not count it.
func TestStreamClientWriteFailureIsNotABackendFailure(t *testing.T) {
	t.Parallel()
	local, remote := newFakeBackend(t), newFakeBackend(t)
	local.answer(streamAnswer(5, -1))
	h := newHarness(t, twoTargets, nil, local, remote)
	mux := http.NewServeMux()
	h.gw.Register(mux)
	w := &brokenClient{ResponseRecorder: httptest.NewRecorder(), writes: 2}
	r := httptest.NewRequest(http.MethodPost, "/v1/chat/completions", strings.NewReader(`{"model":"coder","stream":true}`))
	mux.ServeHTTP(w, r)
	ev := h.lastEvent(t, 1)
	tot := h.gw.Breakers().Get("local/qwen2.5-coder-7b").Snapshot().Totals
	if ev.Status != telemetry.StatusCancelled || tot.Failures != 0 {
		t.Fatalf("event %+v, breaker %+v: a client that went away is not the backend's failure", ev, tot)
	}
}

// TestStreamBackendErrorEventForwardedOnce: a backend's own error event
// mid-stream reaches the client as the stream's one error event.
func TestStreamBackendErrorEventForwardedOnce(t *testing.T) {
	t.Parallel()
	local, remote := newFakeBackend(t), newFakeBackend(t)
	local.answer(func(w http.ResponseWriter, _ *http.Request, _ []byte) {
		w.Header().Set("Content-Type", "text/event-stream")
		_, _ = w.Write([]byte("data: {\"object\":\"chat.completion.chunk\",\"choices\":[{\"index\":0,\"delta\":{\"content\":\"w\"}}]}\n\n" +
			"data: {\"error\":{\"message\":\"out of memory\",\"type\":\"server_error\"}}\n\n"))
	})
	h := newHarness(t, twoTargets, nil, local, remote)
	_, got := h.post(t, "/v1/chat/completions", `{"model":"coder","stream":true}`)
	if strings.Count(got, `"error"`) != 1 || !strings.Contains(got, "out of memory") || strings.Contains(got, "[DONE]") {
		t.Fatalf("stream:\n%s", got)
	}
	if tot := h.gw.Breakers().Get("local/qwen2.5-coder-7b").Snapshot().Totals; tot.Failures != 1 {
		t.Fatalf("a backend's error event is a failure: %+v", tot)
	}
}
