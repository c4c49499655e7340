package gateway

import (
	"fmt"
	"net"
	"net/http"
	"strings"
	"testing"

	"github.com/flywheel-stack/flywheel/clock"
	"github.com/flywheel-stack/flywheel/telemetry"
)

// stalledClient sends a request over a connection it never reads from, with
// a small receive buffer, so that the gateway's writes soon block.
func stalledClient(t *testing.T, h *harness, body string) {
	t.Helper()
	conn, err := net.Dial("tcp", strings.TrimPrefix(h.srv.URL, "http://"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = conn.Close() })
	_ = conn.(*net.TCPConn).SetReadBuffer(4 << 10)
	if _, err := fmt.Fprintf(conn, "POST /v1/chat/completions HTTP/1.1\r\nHost: gw\r\nContent-Type: application/json\r\nContent-Length: %d\r\n\r\n%s",
		len(body), body); err != nil {
		t.Fatal(err)
	}
}

// TestStalledClientFreesTheSlot: a client that stops reading its answer
// does not hold the backend's concurrency slot: each write to it has a
// deadline (the backend's idle timeout), and when it passes the upstream
// request is cancelled, the slot freed, and the outcome is the client's
// fault, not the backend's.
func TestStalledClientFreesTheSlot(t *testing.T) {
	t.Parallel()
	yaml := strings.Replace(twoTargets, "    url: {a}\n", "    url: {a}\n    max_concurrent: 1\n    timeouts: {idle: 200ms}\n", 1)
	tests := []struct {
		name   string
		body   string
		answer func(f *fakeBackend) func(http.ResponseWriter, *http.Request, []byte)
	}{
		{"stream", `{"model":"coder","stream":true}`, func(f *fakeBackend) func(http.ResponseWriter, *http.Request, []byte) {
			// An endless stream: only the gateway can end it.
			return func(w http.ResponseWriter, r *http.Request, _ []byte) {
				w.Header().Set("Content-Type", "text/event-stream")
				event := []byte("data: {\"object\":\"chat.completion.chunk\",\"choices\":[{\"index\":0,\"delta\":{\"content\":\"" +
					strings.Repeat("w", 4<<10) + "\"}}]}\n\n")
				for r.Context().Err() == nil {
					if _, err := w.Write(event); err != nil {
						break
					}
				}
				f.cancel <- struct{}{}
			}
		}},
		{"plain answer", `{"model":"coder"}`, func(*fakeBackend) func(http.ResponseWriter, *http.Request, []byte) {
			// More than the connection's buffers hold.
			body := []byte(`{"choices":[{"message":{"content":"` + strings.Repeat("w", 6<<20) + `"}}]}`)
			return func(w http.ResponseWriter, _ *http.Request, _ []byte) {
				w.Header().Set("Content-Type", "application/json")
				_, _ = w.Write(body)
			}
		}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			local, remote := newFakeBackend(t), newFakeBackend(t)
			local.answer(tc.answer(local))
			// The attempt's own timers on a clock nobody advances: only the
			// write deadline can end the answer.
			h := newHarnessOn(t, clock.NewFake(t0), yaml, nil, local, remote)
			stalledClient(t, h, tc.body)
			b := h.gw.Backends()["local"]
			waitFor(t, "the request to reach local", func() bool { return local.calls.Load() == 1 })
			waitFor(t, "the answer to end", func() bool { return len(h.sink.Events()) == 1 })
			ev := h.sink.Events()[0]
			if ev.Status != telemetry.StatusClientError || ev.ErrorClass != "client_timeout" || ev.Backend != "local" {
				t.Fatalf("event %+v, want the client's fault", ev)
			}
			if n := b.InFlight(); n != 0 {
				t.Fatalf("local has %d requests in flight after the answer ended", n)
			}
			if strings.Contains(tc.body, "stream") {
				<-local.cancel // the endless stream was cancelled
			}
			if tot := h.gw.Breakers().Get("local/qwen2.5-coder-7b").Snapshot().Totals; tot.Failures != 0 {
				t.Fatalf("the breaker counted a stalled client: %+v", tot)
			}
			local.answer(okAnswer("next"))
			if resp, got := h.postGuarded(t, `{"model":"coder"}`); resp.StatusCode != 200 || resp.Header.Get(HeaderBackend) != "local" {
				t.Fatalf("the next request: %d from %q: %.200s", resp.StatusCode, resp.Header.Get(HeaderBackend), got)
			}
		})
	}
}
