package gateway

import (
	"net/http"
	"strings"
	"testing"

	"github.com/flywheel-stack/flywheel/telemetry"
)

// TestStreamEventSizeBounded: one SSE event longer than the backend's
// max_event_bytes is never buffered whole. Mid-stream, the stream ends with
// an error event (the backend's failure); as the first event, the attempt
// fails and the next target answers.
func TestStreamEventSizeBounded(t *testing.T) {
	t.Parallel()
	const chunk = "data: {\"object\":\"chat.completion.chunk\",\"choices\":[{\"index\":0,\"delta\":{\"content\":\"w\"}}]}\n\n"
	huge := "data: {\"object\":\"chat.completion.chunk\",\"choices\":[{\"index\":0,\"delta\":{\"content\":\"" +
		strings.Repeat("x", 3<<20) + "\"}}]}\n\n"
	yaml := strings.Replace(twoTargets, "    url: {a}\n", "    url: {a}\n    max_event_bytes: 1MiB\n", 1)
	tests := []struct {
		name     string
		sent     string
		fallback bool
	}{
		{"mid-stream", chunk + huge + "data: [DONE]\n\n", false},
		{"first event", huge + "data: [DONE]\n\n", true},
		{"one line without end", chunk + "data: " + strings.Repeat("y", 3<<20), false},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			local, remote := newFakeBackend(t), newFakeBackend(t)
			local.answer(func(w http.ResponseWriter, _ *http.Request, _ []byte) {
				w.Header().Set("Content-Type", "text/event-stream")
				_, _ = w.Write([]byte(tc.sent))
			})
			remote.answer(streamAnswer(2, -1))
			h := newHarness(t, yaml, nil, local, remote)
			resp, got := h.post(t, "/v1/chat/completions", `{"model":"coder","stream":true}`)
			ev := h.lastEvent(t, 1)
			tot := h.gw.Breakers().Get("local/qwen2.5-coder-7b").Snapshot().Totals
			if tc.fallback {
				if resp.Header.Get(HeaderBackend) != "remote" || !strings.HasSuffix(got, "data: [DONE]\n\n") || tot.Failures != 1 {
					t.Fatalf("backend %q, breaker %+v, stream:\n%.300s", resp.Header.Get(HeaderBackend), tot, got)
				}
				return
			}
			if resp.StatusCode != 200 || !strings.HasPrefix(got, chunk) || strings.Contains(got, "[DONE]") || strings.Contains(got, "xxxx") ||
				!strings.HasSuffix(got, `"type":"upstream_error","param":null,"code":"event_too_large"}}`+"\n\n") {
				t.Fatalf("%d, stream:\n%.500s", resp.StatusCode, got)
			}
			if tot.Failures != 1 || ev.Status != telemetry.StatusBackendError || ev.ErrorClass != "event_too_large" {
				t.Fatalf("breaker %+v, event %+v", tot, ev)
			}
		})
	}
}
