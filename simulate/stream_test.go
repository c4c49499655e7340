package simulate

import (
	"bufio"
	"context"
	"encoding/json"
	"io"
	"net/http"
	"strconv"
	"strings"
	"testing"
	"time"
)

type chunk struct {
	ID      string `json:"id"`
	Object  string `json:"object"`
	Model   string `json:"model"`
	Choices []struct {
		Delta struct {
			Role    *string `json:"role"`
			Content *string `json:"content"`
		} `json:"delta"`
		Text         *string `json:"text"`
		FinishReason *string `json:"finish_reason"`
	} `json:"choices"`
	Usage json.RawMessage `json:"usage"`
}

// openStream posts body and returns the SSE reader of a 200 stream.
func (h *harness) openStream(ctx context.Context, path, body string) (*http.Response, sseReader) {
	h.t.Helper()
	resp, err := h.send(ctx, http.MethodPost, path, body)
	if err != nil {
		h.t.Fatal(err)
	}
	h.t.Cleanup(func() { resp.Body.Close() })
	if resp.StatusCode != http.StatusOK || resp.Header.Get("Content-Type") != "text/event-stream" {
		b, _ := io.ReadAll(resp.Body)
		h.t.Fatalf("stream answer %d %v: %s", resp.StatusCode, resp.Header, b)
	}
	return resp, sseReader{bufio.NewReader(resp.Body)}
}

func TestStreams(t *testing.T) {
	t.Parallel()
	h := start(t, Config{Models: []string{"m"}})
	chatText, chatTokens := ChatAnswer(0, Message{"user", "stream me something"})
	textText, textTokens := CompletionAnswer("stream me something", 0)
	for _, tt := range []struct {
		name, path, body string
		chat, usage      bool
		text             string
		tokens           int
	}{
		{"chat", "/v1/chat/completions",
			`{"model":"m","stream":true,"messages":[{"role":"user","content":"stream me something"}]}`, true, false, chatText, chatTokens},
		{"chat with include_usage", "/v1/chat/completions",
			`{"model":"m","stream":true,"stream_options":{"include_usage":true},"messages":[{"role":"user","content":"stream me something"}]}`, true, true, chatText, chatTokens},
		{"completion", "/v1/completions",
			`{"model":"m","stream":true,"prompt":"stream me something"}`, false, false, textText, textTokens},
		{"completion with include_usage", "/v1/completions",
			`{"model":"m","stream":true,"stream_options":{"include_usage":true},"prompt":"stream me something"}`, false, true, textText, textTokens},
	} {
		t.Run(tt.name, func(t *testing.T) {
			_, sse := h.openStream(context.Background(), tt.path, tt.body)
			events, err := sse.readAll()
			if err != nil {
				t.Fatalf("stream ended with %v after %d events", err, len(events))
			}
			if len(events) == 0 || events[len(events)-1] != "[DONE]" {
				t.Fatalf("stream does not end with [DONE]: %q", events)
			}
			events = events[:len(events)-1]
			want := tt.tokens + 1 // tokens and the finish event
			if tt.chat {
				want++ // role
			}
			if tt.usage {
				want++
			}
			if len(events) != want {
				t.Fatalf("%d events, want %d: %q", len(events), want, events)
			}
			var text strings.Builder
			var id string
			finishes := 0
			for i, ev := range events {
				c := decode[chunk](t, []byte(ev))
				if i == 0 {
					id = c.ID
				}
				wantObject := "text_completion"
				if tt.chat {
					wantObject = "chat.completion.chunk"
				}
				if c.ID != id || c.Object != wantObject || c.Model != "m" {
					t.Fatalf("event %d envelope: %s", i, ev)
				}
				last := i == len(events)-1
				switch {
				case tt.usage && last:
					var u usage
					if len(c.Choices) != 0 || json.Unmarshal(c.Usage, &u) != nil || u != (usage{3, tt.tokens, 3 + tt.tokens}) {
						t.Errorf("usage event: %s", ev)
					}
					continue
				case tt.usage:
					if string(c.Usage) != "null" {
						t.Errorf("event %d: usage %s before the last event, want null", i, c.Usage)
					}
				case c.Usage != nil:
					t.Errorf("event %d has a usage field without include_usage: %s", i, ev)
				}
				if len(c.Choices) != 1 {
					t.Fatalf("event %d: %s", i, ev)
				}
				ch := c.Choices[0]
				if i == 0 && tt.chat && (ch.Delta.Role == nil || *ch.Delta.Role != "assistant") {
					t.Errorf("first chat event should carry the role: %s", ev)
				}
				if ch.FinishReason != nil {
					finishes++
					if *ch.FinishReason != "stop" {
						t.Errorf("finish_reason %q", *ch.FinishReason)
					}
				}
				if ch.Delta.Content != nil {
					text.WriteString(*ch.Delta.Content)
				}
				if ch.Text != nil {
					text.WriteString(*ch.Text)
				}
			}
			if finishes != 1 || text.String() != tt.text {
				t.Errorf("streamed %q with %d finish events, want %q and 1", text.String(), finishes, tt.text)
			}
		})
	}
	if st := h.srv.Stats(); st.Streams != 4 || st.Completed != 4 {
		t.Errorf("stats after four streams: %+v", st)
	}
}

// TestStreamPace follows a stream on the fake clock: the first token after
// ttft, each next one 1/tokens_per_second later.
func TestStreamPace(t *testing.T) {
	t.Parallel()
	h := start(t, Config{Models: []string{"m"}, Faults: Faults{TTFT: 200 * time.Millisecond, TokensPerSecond: 20}})
	_, sse := h.openStream(context.Background(), "/v1/chat/completions",
		`{"model":"m","stream":true,"max_tokens":4,"messages":[{"role":"user","content":"pace"}]}`)
	expect := func(n int) {
		t.Helper()
		for range n {
			if _, err := sse.next(); err != nil {
				t.Fatal(err)
			}
		}
	}
	if d := h.waitTimer(); d != 200*time.Millisecond {
		t.Fatalf("first token in %v, want the ttft 200ms", d)
	}
	h.clk.Advance(199 * time.Millisecond)
	if d := h.waitTimer(); d != time.Millisecond {
		t.Fatalf("after 199ms the first token is %v away, want 1ms", d)
	}
	h.clk.Advance(time.Millisecond)
	expect(2) // the role event and token 0
	for i := 1; i < 4; i++ {
		if d := h.waitTimer(); d != 50*time.Millisecond {
			t.Fatalf("token %d in %v, want 50ms (20 tokens/s)", i, d)
		}
		h.clk.Advance(50 * time.Millisecond)
		expect(1)
	}
	events, err := sse.readAll() // finish event and [DONE], no more waiting
	if err != nil || len(events) != 2 || events[1] != "[DONE]" {
		t.Fatalf("end of stream: %q %v", events, err)
	}
}

// TestAnswerDelay checks that a non-streaming answer waits as long as the
// stream's last token would: ttft plus (tokens-1)/tokens_per_second.
func TestAnswerDelay(t *testing.T) {
	t.Parallel()
	for _, tt := range []struct {
		name   string
		faults Faults
		path   string
		body   string
		want   time.Duration
	}{
		{"ttft only", Faults{TTFT: 300 * time.Millisecond}, "/v1/chat/completions",
			`{"model":"m","max_tokens":5,"messages":[{"role":"user","content":"x"}]}`, 300 * time.Millisecond},
		{"ttft and pace", Faults{TTFT: 100 * time.Millisecond, TokensPerSecond: 10}, "/v1/chat/completions",
			`{"model":"m","max_tokens":5,"messages":[{"role":"user","content":"x"}]}`, 500 * time.Millisecond},
		{"completion pace", Faults{TokensPerSecond: 4}, "/v1/completions",
			`{"model":"m","max_tokens":3,"prompt":"x"}`, 500 * time.Millisecond},
		{"embeddings wait the ttft only", Faults{TTFT: 40 * time.Millisecond, TokensPerSecond: 1}, "/v1/embeddings",
			`{"model":"m","input":"x"}`, 40 * time.Millisecond},
	} {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			h := start(t, Config{Models: []string{"m"}, Faults: tt.faults})
			done := h.async(context.Background(), http.MethodPost, tt.path, tt.body)
			if d := h.waitTimer(); d != tt.want {
				t.Fatalf("answer due in %v, want %v", d, tt.want)
			}
			h.clk.Advance(tt.want)
			r := <-done
			if r.err != nil || r.status != http.StatusOK {
				t.Fatalf("answer: %v %d %s", r.err, r.status, r.body)
			}
		})
	}
}

func TestCutAfterChunks(t *testing.T) {
	t.Parallel()
	for _, tt := range []struct {
		name     string
		cut      int
		maxTok   int
		events   int // data events the client sees
		complete bool
	}{
		{"cut midway", 3, 10, 3, false},
		{"cut after the first chunk", 1, 10, 1, false},
		{"stream shorter than the cut ends normally", 50, 2, 5, true}, // role, 2 tokens, finish, [DONE]
	} {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			h := start(t, Config{Models: []string{"m"}, Faults: Faults{CutAfterChunks: tt.cut}})
			_, sse := h.openStream(context.Background(), "/v1/chat/completions",
				`{"model":"m","stream":true,"max_tokens":`+strconv.Itoa(tt.maxTok)+`,"messages":[{"role":"user","content":"cut me"}]}`)
			events, err := sse.readAll()
			if len(events) != tt.events {
				t.Fatalf("%d events, want %d: %q", len(events), tt.events, events)
			}
			if tt.complete {
				if err != nil || events[len(events)-1] != "[DONE]" {
					t.Fatalf("complete stream: %q %v", events, err)
				}
				return
			}
			if err == nil {
				t.Fatalf("a cut stream must not end cleanly: %q", events)
			}
			for _, e := range events {
				if e == "[DONE]" {
					t.Fatalf("a cut stream sent [DONE]: %q", events)
				}
			}
			h.waitStats("the cut to be counted", func(s Stats) bool { return s.StreamsCut == 1 && s.InFlight == 0 })
			if st := h.srv.Stats(); st.Completed != 0 {
				t.Errorf("a cut stream counted as completed: %+v", st)
			}
		})
	}
}

func TestStreamCancellation(t *testing.T) {
	t.Parallel()
	h := start(t, Config{Models: []string{"m"}, Faults: Faults{TTFT: time.Second, TokensPerSecond: 10}})
	ctx, cancel := context.WithCancel(context.Background())
	_, sse := h.openStream(ctx, "/v1/chat/completions",
		`{"model":"m","stream":true,"messages":[{"role":"user","content":"cancel me"}]}`)
	h.waitTimer()
	h.clk.Advance(time.Second)
	if _, err := sse.next(); err != nil {
		t.Fatal(err)
	}
	h.waitTimer() // the stream waits for its next token
	cancel()
	st := h.waitStats("the cancellation", func(s Stats) bool { return s.Cancellations == 1 && s.InFlight == 0 })
	if st.Completed != 0 || st.Streams != 1 {
		t.Errorf("stats %+v", st)
	}
}
