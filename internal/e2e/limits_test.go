package e2e

import (
	"context"
	"errors"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/flywheel-stack/flywheel/simulate"
	"github.com/flywheel-stack/flywheel/telemetry"
	"github.com/openai/openai-go/v3"
	"github.com/openai/openai-go/v3/option"
)

// TestGracefulShutdownLetsStreamsFinish stops the server while a stream is
// in flight: the stream runs to its [DONE], and new connections are refused.
func TestGracefulShutdownLetsStreamsFinish(t *testing.T) {
	t.Parallel()
	g, local, _ := startChaos(t)
	setFaults(t, local, simulate.Faults{TokensPerSecond: 20}) // 8 to 40 tokens: 0.4 s to 2 s
	const prompt = "a stream that outlives the server"
	want, _ := expectedChat(prompt)
	s := g.client().Chat.Completions.NewStreaming(context.Background(), chatParams("chat", prompt))
	defer s.Close()
	if !s.Next() {
		t.Fatalf("no first chunk: %v", s.Err())
	}
	stopped := make(chan error, 1)
	go func() { stopped <- g.shutdown() }()
	// Serve has stopped accepting before it waits for the stream.
	deadline := time.Now().Add(waitLimit)
	for {
		resp, err := g.hc.Get(g.url + "/livez")
		if err != nil {
			break
		}
		_ = resp.Body.Close()
		if time.Now().After(deadline) {
			t.Fatal("the server kept accepting connections after shutdown began")
		}
		<-time.After(5 * time.Millisecond) // poll interval, not a wait for state
	}
	var got string
	for s.Next() {
		if ch := s.Current().Choices; len(ch) > 0 {
			got += ch[0].Delta.Content
		}
	}
	if err := s.Err(); err != nil || got != want {
		t.Fatalf("the in-flight stream ended with %v after %q, want all of %q", err, got, want)
	}
	if err := <-stopped; err != nil {
		t.Fatalf("graceful shutdown: %v", err)
	}
	// The simulator counts the stream as completed after writing [DONE]:
	// wait for its handler to end.
	if st := local.waitStats(t, "the stream's handler to end", func(st simulate.Stats) bool { return st.InFlight == 0 }); st.Completed != 1 || st.Cancellations != 0 {
		t.Fatalf("the backend saw %+v", st)
	}
}

// maxConcurrentConfig bounds each backend to one request at a time.
const maxConcurrentConfig = `
health: {interval: 1h}
backends:
  - {name: local, kind: llamacpp, url: "{local}", max_concurrent: 1}
  - {name: remote, kind: openai, url: "{remote}", max_concurrent: 1}
routes:
  - name: chat
    targets:
      - {backend: local, model: qwen2.5-coder-7b-instruct}
      - {backend: remote, model: gpt-4o-mini}
`

// TestMaxConcurrent fills each backend's single slot: the next request goes
// to the next target, and with none left the client gets 429 with
// Retry-After. Neither breaker counts a busy backend.
func TestMaxConcurrent(t *testing.T) {
	t.Parallel()
	local, remote := localSim(t, "127.0.0.1:0"), remoteSim(t)
	g := startGateway(t, maxConcurrentConfig, map[string]string{"local": local.url, "remote": remote.url}, gatewayOptions{})
	settle(t, local, remote)
	setFaults(t, local, simulate.Faults{Hang: true})
	setFaults(t, remote, simulate.Faults{Hang: true})
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	c := g.client()
	errs := make(chan error, 2)
	hold := func(s *sim) {
		go func() {
			_, err := c.Chat.Completions.New(ctx, chatParams("chat", "hold a slot"))
			errs <- err
		}()
		s.waitStats(t, "a request to hold its slot", func(st simulate.Stats) bool { return st.Hangs == 1 })
	}
	hold(local)  // the first takes local's slot
	hold(remote) // the second finds local busy and takes remote's

	var resp *http.Response
	_, err := c.Chat.Completions.New(context.Background(), chatParams("chat", "no slot left"), option.WithResponseInto(&resp))
	e := apiError(t, err)
	if e.StatusCode != http.StatusTooManyRequests || e.Code != "backends_busy" || e.Type != "rate_limit_error" ||
		e.Response.Header.Get("Retry-After") == "" {
		t.Fatalf("with every slot taken: %d %q %q, Retry-After %q", e.StatusCode, e.Code, e.Type, e.Response.Header.Get("Retry-After"))
	}
	if st := local.Stats(); st.Requests != 1 {
		t.Fatalf("local got %d requests past its max_concurrent of 1", st.Requests)
	}
	cancel()
	for range 2 {
		if err := <-errs; !errors.Is(err, context.Canceled) {
			t.Fatalf("held request: %v", err)
		}
	}
	for _, key := range []string{localKey, remoteKey} {
		if b := g.breaker(key); b.Totals.Failures != 0 || b.State.String() != "closed" {
			t.Fatalf("%s counted a busy backend or a cancellation: %+v", key, b)
		}
	}
}

// TestBackendClientErrorPassesThrough checks that a 4xx the backend gives
// for the request itself reaches the client as it is: no fallback, and no
// breaker failure.
func TestBackendClientErrorPassesThrough(t *testing.T) {
	t.Parallel()
	g, local, remote := startChaos(t)
	c := g.client()
	empty := openai.ChatCompletionNewParams{Model: "chat", Messages: []openai.ChatCompletionMessageParamUnion{}}
	for _, stream := range []bool{false, true} {
		var err error
		if stream {
			s := c.Chat.Completions.NewStreaming(context.Background(), empty)
			for s.Next() {
			}
			err = s.Err()
			_ = s.Close()
		} else {
			_, err = c.Chat.Completions.New(context.Background(), empty)
		}
		e := apiError(t, err)
		if e.StatusCode != http.StatusBadRequest || e.Param != "messages" || !strings.Contains(e.Message, "messages") ||
			e.Response.Header.Get("X-Flywheel-Backend") != "local" {
			t.Fatalf("stream=%v: %d %q %q backend %q", stream, e.StatusCode, e.Param, e.Message, e.Response.Header.Get("X-Flywheel-Backend"))
		}
	}
	if st := local.Stats(); st.BadRequests != 2 {
		t.Fatalf("local %+v", st)
	}
	if n := remote.Stats().Requests; n != 0 {
		t.Fatalf("the client's own error was retried on the fallback (%d requests)", n)
	}
	if b := g.breaker(localKey); b.Totals.Failures != 0 || b.Totals.Successes != 0 {
		t.Fatalf("the breaker counted the client's error: %+v", b.Totals)
	}
	if ev := g.event(t, 1); ev.Status != telemetry.StatusBackendError || ev.HTTPStatus != 400 {
		t.Fatalf("event %+v", ev)
	}
}
