package gateway

import (
	"net/http"
	"strings"
	"testing"

	"github.com/flywheel-stack/flywheel/telemetry"
)

// TestBrokenSuccessFallsBack: a 2xx that is not an answer (cut JSON, an HTML
// page, nothing at all, a stream that is not SSE) is a failed attempt: the
// breaker counts it and the next target answers, rather than the client
// getting a 200 it cannot parse.
func TestBrokenSuccessFallsBack(t *testing.T) {
	t.Parallel()
	send := func(status int, contentType, body string) func(http.ResponseWriter, *http.Request, []byte) {
		return func(w http.ResponseWriter, _ *http.Request, _ []byte) {
			if contentType != "" {
				w.Header().Set("Content-Type", contentType)
			}
			w.WriteHeader(status)
			_, _ = w.Write([]byte(body))
		}
	}
	const page = "<html><body><h1>502 Bad Gateway</h1></body></html>\n"
	tests := []struct {
		name   string
		answer func(http.ResponseWriter, *http.Request, []byte)
		stream bool
	}{
		{"truncated JSON", send(200, "application/json", `{"id":"chatcmpl-1","choices":[{"index":0,"mess`), false},
		{"HTML page", send(200, "text/html; charset=utf-8", page), false},
		{"empty body", send(200, "application/json", ""), false},
		{"204 no content", send(204, "", ""), false},
		{"HTML for a stream", send(200, "text/html", page), true},
		{"SSE whose first event is HTML", send(200, "text/event-stream", "data: "+page+"\n"), true},
		{"SSE with no event", send(200, "text/event-stream", ""), true},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			local, remote := newFakeBackend(t), newFakeBackend(t)
			local.answer(tc.answer)
			if tc.stream {
				remote.answer(streamAnswer(3, -1))
			} else {
				remote.answer(okAnswer("from remote"))
			}
			h := newHarness(t, twoTargets, nil, local, remote)
			body := `{"model":"coder","messages":[]}`
			if tc.stream {
				body = `{"model":"coder","stream":true,"messages":[]}`
			}
			resp, got := h.post(t, "/v1/chat/completions", body)
			want := "from remote"
			if tc.stream {
				want = "data: [DONE]"
			}
			if resp.StatusCode != 200 || resp.Header.Get(HeaderBackend) != "remote" || !strings.Contains(got, want) {
				t.Fatalf("%d backend %q: %s", resp.StatusCode, resp.Header.Get(HeaderBackend), got)
			}
			if n := local.calls.Load(); n != 1 {
				t.Fatalf("local saw %d calls, want 1 (a broken answer is not retried on the same target)", n)
			}
			if tot := h.gw.Breakers().Get("local/qwen2.5-coder-7b").Snapshot().Totals; tot.Failures != 1 || tot.Successes != 0 {
				t.Fatalf("local breaker %+v, want one failure", tot)
			}
			if ev := h.lastEvent(t, 1); ev.Status != telemetry.StatusOK || ev.Backend != "remote" || ev.FallbackDepth != 1 {
				t.Fatalf("event %+v", ev)
			}
		})
	}
}

// TestBrokenSuccessOnLastTargetDegrades: with no target left, a broken
// 2xx gets the degraded answer, not a 200.
func TestBrokenSuccessOnLastTargetDegrades(t *testing.T) {
	t.Parallel()
	local, remote := newFakeBackend(t), newFakeBackend(t)
	for _, b := range []*fakeBackend{local, remote} {
		b.answer(func(w http.ResponseWriter, _ *http.Request, _ []byte) {
			w.Header().Set("Content-Type", "application/json")
			_, _ = w.Write([]byte(`{"choices":[`))
		})
	}
	h := newHarness(t, twoTargets, nil, local, remote)
	resp, got := h.post(t, "/v1/chat/completions", `{"model":"coder","messages":[]}`)
	if resp.StatusCode != 503 || resp.Header.Get(HeaderDegraded) != "true" {
		t.Fatalf("%d %s", resp.StatusCode, got)
	}
	if ev := h.lastEvent(t, 1); ev.Status != telemetry.StatusDegraded || ev.ErrorClass != "bad_answer" {
		t.Fatalf("event %+v", ev)
	}
}
