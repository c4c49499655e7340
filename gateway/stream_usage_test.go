package gateway

import (
	"bytes"
	"fmt"
	"net/http"
	"strings"
	"testing"
)

func TestStripUsageNull(t *testing.T) {
	t.Parallel()
	tests := []struct{ in, want string }{
		{`{"id":"c","choices":[],"usage":null}`, `{"id":"c","choices":[]}`},
		{`{"usage":null,"id":"c"}`, `{"id":"c"}`},
		{`{"usage":null}`, `{}`},
		{`{"id":"c" , "usage" : null }`, `{"id":"c"  }`},
		{`{"id":"c","usage":null,"x":1}`, `{"id":"c","x":1}`},
		// Not a top-level "usage":null: left as it is.
		{`{"id":"c","usage":{"prompt_tokens":1}}`, ``},
		{`{"x":{"usage":null},"id":"c"}`, ``},
		{`{"choices":[{"usage":null}]}`, ``},
		{`{"content":"\"usage\":null"}`, ``},
		{`{"content":"say \\","usage":null}`, `{"content":"say \\"}`},
		{`{"usage":"null"}`, ``},
	}
	for _, tc := range tests {
		want := tc.want
		if want == "" {
			want = tc.in
		}
		event := []byte("data: " + tc.in + "\n\n")
		if got := string(stripUsageNull(event)); got != "data: "+want+"\n\n" {
			t.Errorf("stripUsageNull(%s) = %q, want %q", tc.in, got, "data: "+want+"\n\n")
		}
	}
}

// usageNullStream answers like OpenAI when asked for include_usage: every
// chunk carries "usage":null, and a last chunk carries the usage.
func usageNullStream(n int) func(http.ResponseWriter, *http.Request, []byte) {
	return func(w http.ResponseWriter, _ *http.Request, body []byte) {
		w.Header().Set("Content-Type", "text/event-stream")
		usage := bytes.Contains(body, []byte(`"include_usage":true`))
		for i := range n {
			chunk := fmt.Sprintf(`{"id":"c","object":"chat.completion.chunk","choices":[{"index":0,"delta":{"content":"w%d "}}]`, i)
			if usage {
				chunk += `,"usage":null`
			}
			fmt.Fprintf(w, "data: %s}\n\n", chunk)
		}
		if usage {
			fmt.Fprint(w, "data: {\"id\":\"c\",\"object\":\"chat.completion.chunk\",\"choices\":[],\"usage\":{\"prompt_tokens\":5,\"completion_tokens\":3,\"total_tokens\":8}}\n\n")
		}
		fmt.Fprint(w, "data: [DONE]\n\n")
	}
}

// TestStreamUsageNullOnlyWhenAsked: the "usage":null the gateway's own
// include_usage request adds to every chunk does not reach a client that did
// not ask for usage; a client that asked gets the stream as the backend sent
// it.
func TestStreamUsageNullOnlyWhenAsked(t *testing.T) {
	t.Parallel()
	local, remote := newFakeBackend(t), newFakeBackend(t)
	local.answer(usageNullStream(3))
	h := newHarness(t, twoTargets, nil, local, remote)
	_, got := h.post(t, "/v1/chat/completions", `{"model":"coder","stream":true}`)
	if strings.Contains(got, "usage") || strings.Count(got, "chat.completion.chunk") != 3 || !strings.HasSuffix(got, "data: [DONE]\n\n") {
		t.Fatalf("a client that did not ask for usage got:\n%s", got)
	}
	if !strings.Contains(got, `"delta":{"content":"w0 "}}]}`) {
		t.Fatalf("chunk not intact:\n%s", got)
	}
	if ev := h.lastEvent(t, 1); ev.TokensIn != 5 || ev.TokensOut != 3 {
		t.Fatalf("tokens %d/%d, want the usage chunk's 5/3", ev.TokensIn, ev.TokensOut)
	}

	_, got = h.post(t, "/v1/chat/completions", `{"model":"coder","stream":true,"stream_options":{"include_usage":true}}`)
	if strings.Count(got, `"usage":null`) != 3 || !strings.Contains(got, `"usage":{"prompt_tokens":5`) {
		t.Fatalf("a client that asked for usage got:\n%s", got)
	}
}
