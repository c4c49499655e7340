package gateway

import (
	"bufio"
	"fmt"
	"net/http"
	"strings"
	"testing"
	"time"
)

// TestStreamEachChunkReachesClientBeforeTheNext sends a stream in lock
// step: the backend sends its next chunk only once the client has read the
// previous one. A gateway that held a chunk back (to coalesce it with the
// next) would stall the stream until the deadline.
func TestStreamEachChunkReachesClientBeforeTheNext(t *testing.T) {
	t.Parallel()
	const chunks = 5
	received := make(chan int, chunks)
	local, remote := newFakeBackend(t), newFakeBackend(t)
	local.answer(func(w http.ResponseWriter, r *http.Request, _ []byte) {
		w.Header().Set("Content-Type", "text/event-stream")
		fl := w.(http.Flusher)
		for i := range chunks {
			// A comment event, then the chunk: the gateway relays both.
			fmt.Fprintf(w, ": tick\n\ndata: {\"choices\":[{\"index\":0,\"delta\":{\"content\":\"c%d\"}}]}\n\n", i)
			fl.Flush()
			select {
			case got := <-received:
				if got != i {
					t.Errorf("client read chunk %d, backend sent %d", got, i)
					return
				}
			case <-time.After(5 * time.Second):
				t.Errorf("chunk %d did not reach the client while the backend waited", i)
				return
			case <-r.Context().Done():
				return
			}
		}
		fmt.Fprint(w, "data: [DONE]\n\n")
	})
	h := newHarness(t, twoTargets, nil, local, remote)
	resp, err := http.Post(h.srv.URL+"/v1/chat/completions", "application/json", strings.NewReader(`{"model":"coder","stream":true}`))
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	sc := bufio.NewScanner(resp.Body)
	next := 0
	for sc.Scan() {
		line := sc.Text()
		if line == "data: [DONE]" {
			break
		}
		if strings.Contains(line, fmt.Sprintf(`"c%d"`, next)) {
			received <- next
			next++
		}
	}
	if next != chunks {
		t.Fatalf("client read %d chunks, want %d", next, chunks)
	}
}

// TestEventBuffered tells a whole buffered event from part of one.
func TestEventBuffered(t *testing.T) {
	t.Parallel()
	for in, want := range map[string]bool{
		"":                          false,
		"data: {\"a\":1}":           false,
		"data: {\"a\":1}\n":         false,
		"data: {\"a\":1}\n\n":       true,
		"data: {\"a\":1}\r\n\r\n":   true,
		"\n\ndata: {\"a\":1}":       false, // stray blank lines, then part of an event
		"\r\n\r\ndata: x\n":         false,
		": keep-alive\n\ndata: x\n": true,
		"data: x\nid: 3\n\ndata: y": true,
	} {
		r := bufio.NewReaderSize(strings.NewReader(in), 64)
		if in != "" {
			_, _ = r.Peek(1) // fill the buffer
		}
		if got := eventBuffered(r); got != want {
			t.Errorf("eventBuffered(%q) = %v, want %v", in, got, want)
		}
	}
}

// TestHasUsageKey agrees with bytes.Contains on chunks with and without
// the key, at the edges of the buffer.
func TestHasUsageKey(t *testing.T) {
	t.Parallel()
	for _, in := range []string{
		"", "u", `"usage"`, `usage"`, `"usage`, `"usag"`, `""usage"`, `uu"usage"`, `x"uusage"`,
		`data: {"choices":[],"usage":{"prompt_tokens":5}}`, `data: {"object":"chat.completion.chunk","usage":null}`,
		`data: {"object":"chat.completion.chunk","choices":[{"delta":{"content":"u usage u"}}]}`,
	} {
		if got, want := hasUsageKey([]byte(in)), strings.Contains(in, `"usage"`); got != want {
			t.Errorf("hasUsageKey(%q) = %v, want %v", in, got, want)
		}
	}
}
