package gateway

import (
	"fmt"
	"net/http"
	"strings"
	"testing"
)

// TestStreamLongEventLines relays events whose data line is longer than the
// stream reader's buffer, at and around its size: every event must reach
// the client whole, with its blank line, byte for byte.
func TestStreamLongEventLines(t *testing.T) {
	t.Parallel()
	for _, lineLen := range []int{streamReaderSize - 1, streamReaderSize, streamReaderSize + 1, 2 * streamReaderSize, 3*streamReaderSize + 7} {
		t.Run(fmt.Sprint(lineLen), func(t *testing.T) {
			t.Parallel()
			for _, eol := range []string{"\n", "\r\n"} {
				prefix := `data: {"object":"chat.completion.chunk","choices":[{"index":0,"delta":{"content":"`
				suffix := `"}}]}`
				long := prefix + strings.Repeat("x", lineLen-len(prefix)-len(suffix)) + suffix
				short := `data: {"object":"chat.completion.chunk","choices":[{"index":0,"delta":{"content":"y"}}]}`
				sent := long + eol + eol + short + eol + eol + long + eol + eol + "data: [DONE]" + eol + eol
				local, remote := newFakeBackend(t), newFakeBackend(t)
				local.answer(func(w http.ResponseWriter, _ *http.Request, _ []byte) {
					w.Header().Set("Content-Type", "text/event-stream")
					// A stray blank line before the first event is dropped.
					_, _ = w.Write([]byte(eol + sent))
				})
				h := newHarness(t, twoTargets, nil, local, remote)
				resp, got := h.post(t, "/v1/chat/completions", `{"model":"coder","stream":true}`)
				if resp.StatusCode != 200 || got != sent {
					t.Fatalf("line of %d bytes, eol %q: relayed %d bytes, sent %d; %d event ends",
						lineLen, eol, len(got), len(sent), strings.Count(got, eol+eol))
				}
			}
		})
	}
}
