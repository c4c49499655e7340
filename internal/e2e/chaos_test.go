package e2e

import (
	"context"
	"errors"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/flywheel-stack/flywheel/config"
	"github.com/flywheel-stack/flywheel/simulate"
	"github.com/flywheel-stack/flywheel/telemetry"
	"github.com/openai/openai-go/v3/option"
	"github.com/openai/openai-go/v3/packages/ssestream"
)

// chaosConfig is the chat route over a local primary and a remote
// fallback, each with one attempt per request (so each failed request is one
// breaker failure) and a breaker that opens after three failures in a row.
const chaosConfig = `
server: {admin_token_env: ADMIN}
health: {interval: 1h}
backends:
  - name: local
    kind: llamacpp
    url: {local}
    timeouts: {connect: 1s, first_token: 250ms}
    retry: {max_attempts: 1}
    breaker: {consecutive_failures: 3, open_for: 30s, half_open_calls: 1}
  - name: remote
    kind: openai
    url: {remote}
    retry: {max_attempts: 1}
    breaker: {consecutive_failures: 3, open_for: 30s}
routes:
  - name: chat
    targets:
      - {backend: local, model: qwen2.5-coder-7b-instruct}
      - {backend: remote, model: gpt-4o-mini}
`

const (
	localKey   = "local/qwen2.5-coder-7b-instruct"
	remoteKey  = "remote/gpt-4o-mini"
	adminToken = "admin-token"
)

var chaosEnv = map[string]string{"ADMIN": adminToken}

func localSim(t *testing.T, addr string) *sim {
	return startSim(t, addr, simulate.Config{Models: []string{"qwen2.5-coder-7b-instruct"}})
}

func remoteSim(t *testing.T) *sim {
	return startSim(t, "127.0.0.1:0", simulate.Config{Models: []string{"gpt-4o-mini"}})
}

// startChaos runs local and remote simulators and the gateway on a fake
// clock in front of them.
func startChaos(t *testing.T) (g *gateway, local, remote *sim) {
	t.Helper()
	return startChaosWith(t, chaosConfig)
}

// startChaosWith is startChaos with another configuration.
func startChaosWith(t *testing.T, yaml string) (g *gateway, local, remote *sim) {
	t.Helper()
	local, remote = localSim(t, "127.0.0.1:0"), remoteSim(t)
	g = startGateway(t, yaml, map[string]string{"local": local.url, "remote": remote.url},
		gatewayOptions{env: chaosEnv, fake: true})
	settle(t, local, remote)
	return g, local, remote
}

// chat sends one chat request with the OpenAI client and checks that it was
// answered with the simulator's text; it returns the response headers.
func chat(t *testing.T, g *gateway, prompt string) http.Header {
	t.Helper()
	var resp *http.Response
	got, err := g.client().Chat.Completions.New(context.Background(), chatParams("chat", prompt), option.WithResponseInto(&resp))
	if err != nil {
		t.Fatalf("chat %q: %v (%s)", prompt, err, headersOf(resp))
	}
	if want, _ := expectedChat(prompt); len(got.Choices) != 1 || got.Choices[0].Message.Content != want {
		t.Fatalf("chat %q: choices %+v, want %q", prompt, got.Choices, want)
	}
	return resp.Header
}

// chatText sends one chat request with the OpenAI client, streamed or not,
// and returns the answer's text (the deltas joined when streamed) and the
// response; it fails the test on an error.
func chatText(t *testing.T, g *gateway, prompt string, stream bool) (string, *http.Response) {
	t.Helper()
	c := g.client()
	var resp *http.Response
	if !stream {
		cc, err := c.Chat.Completions.New(context.Background(), chatParams("chat", prompt), option.WithResponseInto(&resp))
		if err != nil {
			t.Fatal(err)
		}
		return cc.Choices[0].Message.Content, resp
	}
	s := c.Chat.Completions.NewStreaming(context.Background(), chatParams("chat", prompt), option.WithResponseInto(&resp))
	defer s.Close()
	var got string
	for s.Next() {
		if ch := s.Current().Choices; len(ch) > 0 {
			got += ch[0].Delta.Content
		}
	}
	if err := s.Err(); err != nil {
		t.Fatalf("stream: %v", err)
	}
	return got, resp
}

func setFaults(t *testing.T, s *sim, f simulate.Faults) {
	t.Helper()
	if err := s.SetFaults(f); err != nil {
		t.Fatal(err)
	}
}

func TestChaosPrimaryHangs(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name   string
		faults simulate.Faults
		stream bool
	}{
		// The primary accepts and never sends headers.
		{"hang", simulate.Faults{Hang: true}, false},
		{"hang, streaming", simulate.Faults{Hang: true}, true},
		// The primary sends the stream's headers, then no token.
		{"no first token, streaming", simulate.Faults{TTFT: time.Hour}, true},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			g, local, remote := startChaos(t)
			setFaults(t, local, tc.faults)
			const prompt = "are you there?"
			want, _ := expectedChat(prompt)
			type answer struct {
				text string
				resp *http.Response
			}
			done := make(chan answer, 1)
			go func() {
				got, resp := chatText(t, g, prompt, tc.stream)
				done <- answer{got, resp}
			}()
			// The gateway's timers run on its fake clock: once the primary
			// holds the request, move the clock past first_token.
			local.waitStats(t, "the primary to hold the request", func(st simulate.Stats) bool { return st.Hangs+st.Streams == 1 })
			g.clk.Advance(250 * time.Millisecond)
			a := <-done
			got, resp := a.text, a.resp
			if got != want || resp.Header.Get("X-Flywheel-Backend") != "remote" || resp.Header.Get("X-Flywheel-Attempts") != "2" {
				t.Fatalf("got %q (%s), want the fallback's %q after one attempt on local", got, headersOf(resp), want)
			}
			// The gateway gave up on the primary: the simulator saw the
			// hung request end as a cancellation.
			local.waitStats(t, "the abandoned request's cancellation", func(st simulate.Stats) bool {
				return st.Cancellations == 1 && st.InFlight == 0
			})
			if tot := g.breaker(localKey).Totals; tot.Failures != 1 || tot.Successes != 0 {
				t.Fatalf("a first-token timeout is one failure: %+v", tot)
			}
			remote.waitStats(t, "the fallback's answer", func(st simulate.Stats) bool { return st.Completed == 1 && st.InFlight == 0 })
			if ev := g.event(t, 1); ev.Status != telemetry.StatusOK || ev.FallbackDepth != 1 || ev.Attempts != 2 {
				t.Fatalf("event %+v", ev)
			}
		})
	}
}

func TestChaosRetryAfter(t *testing.T) {
	t.Parallel()
	g, local, remote := startChaos(t)
	setFaults(t, local, simulate.Faults{ErrorRate: 1, Status: 429, RetryAfter: 2})
	start := g.clk.Now()

	// The 429's Retry-After holds the primary's breaker open for 2 s; the
	// request itself is answered by the fallback.
	h := chat(t, g, "rate limited")
	if h.Get("X-Flywheel-Backend") != "remote" {
		t.Fatalf("backend %q", h.Get("X-Flywheel-Backend"))
	}
	b := g.adminBreakers(t, adminToken)[localKey]
	if b.State != "open" || b.OpenUntil == nil || !b.OpenUntil.Equal(start.Add(2*time.Second)) {
		t.Fatalf("breaker %+v, want open until %v", b, start.Add(2*time.Second))
	}
	chat(t, g, "still rate limited")
	if st := local.Stats(); st.ErrorsInjected != 1 || st.Requests != 1 {
		t.Fatalf("the primary was called while held open: %+v", st)
	}

	// Now the fallback is rate limited too: no target is left, and the
	// degraded answer says when to come back: when the primary reopens.
	setFaults(t, remote, simulate.Faults{ErrorRate: 1, Status: 429, RetryAfter: 5})
	degraded := func(wantRetryAfter string) {
		t.Helper()
		c := g.client()
		_, plainErr := c.Chat.Completions.New(context.Background(), chatParams("chat", "no target left"))
		s := c.Chat.Completions.NewStreaming(context.Background(), chatParams("chat", "no target left"))
		for s.Next() {
		}
		streamErr := s.Err()
		_ = s.Close()
		for _, err := range []error{plainErr, streamErr} {
			e := apiError(t, err)
			if e.StatusCode != http.StatusServiceUnavailable || e.Code != "degraded" || e.Message != config.DefaultDegradedMessage {
				t.Fatalf("degraded answer %d %q %q", e.StatusCode, e.Code, e.Message)
			}
			hdr := e.Response.Header
			if hdr.Get("X-Flywheel-Degraded") != "true" || hdr.Get("Retry-After") != wantRetryAfter ||
				hdr.Get("X-Flywheel-Inference-Id") == "" {
				t.Fatalf("degraded headers: Retry-After %q degraded %q, want Retry-After %s",
					hdr.Get("Retry-After"), hdr.Get("X-Flywheel-Degraded"), wantRetryAfter)
			}
		}
	}
	degraded("2")
	if b := g.breaker(remoteKey); !b.OpenUntil.Equal(start.Add(5 * time.Second)) {
		t.Fatalf("remote breaker %+v, want open until +5s", b)
	}
	g.clk.Advance(time.Second)
	degraded("1")
	if st, rt := local.Stats(), remote.Stats(); st.Requests != 1 || rt.ErrorsInjected != 1 {
		t.Fatalf("a held-open target was called: local %+v remote %+v", st, rt)
	}
	if m := g.metric(t, `flywheel_gateway_degraded_total{route="chat"}`); !strings.HasSuffix(m, " 4") {
		t.Fatalf("metrics: %q", m)
	}

	// At the Retry-After instant the primary gets its trial call.
	local.ResetFaults()
	g.clk.Advance(time.Second)
	if h := chat(t, g, "back"); h.Get("X-Flywheel-Backend") != "local" {
		t.Fatalf("after Retry-After: backend %q", h.Get("X-Flywheel-Backend"))
	}
	if s := g.breaker(localKey).State.String(); s != "closed" {
		t.Fatalf("local breaker %s after a successful trial", s)
	}
}

func TestChaosStreamCutMidway(t *testing.T) {
	t.Parallel()
	g, local, remote := startChaos(t)
	setFaults(t, local, simulate.Faults{CutAfterChunks: 3}) // the role chunk and two tokens
	const prompt = "tell me everything"
	want, _ := expectedChat(prompt)

	s := g.client().Chat.Completions.NewStreaming(context.Background(), chatParams("chat", prompt))
	var got string
	chunks := 0
	for s.Next() {
		chunks++
		if ch := s.Current().Choices; len(ch) > 0 {
			got += ch[0].Delta.Content
		}
	}
	err := s.Err()
	_ = s.Close()
	var se *ssestream.StreamError
	if !errors.As(err, &se) || !strings.Contains(se.Message, "upstream stream failed after it started") {
		t.Fatalf("the client's stream ended with %T %v, want the gateway's SSE error event", err, err)
	}
	if chunks != 3 || !strings.HasPrefix(want, got) || len(strings.Fields(got)) != 2 {
		t.Fatalf("the client got %d chunks %q before the error, want 3 with the first 2 words of %q", chunks, got, want)
	}
	if n := remote.Stats().ByPath["/v1/chat/completions"]; n != 0 {
		t.Fatalf("a stream that had started was replayed on the fallback (%d requests)", n)
	}
	if st := local.Stats(); st.StreamsCut != 1 {
		t.Fatalf("local %+v", st)
	}
	if tot := g.breaker(localKey).Totals; tot.Failures != 1 || tot.Successes != 0 {
		t.Fatalf("a cut stream is a failure: %+v", tot)
	}
	if ev := g.event(t, 1); ev.Status != telemetry.StatusBackendError || ev.ErrorClass != "stream_cut" || !ev.Stream {
		t.Fatalf("event %+v", ev)
	}

	// On the wire: the error event, and no [DONE].
	code, body := g.do(t, http.MethodPost, "/v1/chat/completions", `{"model":"chat","stream":true,"messages":[{"role":"user","content":"x"}]}`)
	if code != http.StatusOK || strings.Contains(body, "[DONE]") ||
		!strings.HasSuffix(body, `"type":"upstream_error","param":null,"code":"stream_cut"}}`+"\n\n") {
		t.Fatalf("raw cut stream %d:\n%s", code, body)
	}
}

// cancelWithin is how soon the simulator must see a client's cancellation.
const cancelWithin = 100 * time.Millisecond

func TestChaosClientCancels(t *testing.T) {
	t.Parallel()
	// No first-token timeout: the client must be the one to give up.
	patient := strings.Replace(chaosConfig, "first_token: 250ms", "first_token: 5m", 1)
	tests := []struct {
		name   string
		faults simulate.Faults
		stream bool
		chunks int // stream chunks the client reads before it cancels
	}{
		// Waiting for the answer.
		{"before the answer", simulate.Faults{Hang: true}, false, 0},
		// The stream's headers are sent, its first token is not.
		{"before the first token", simulate.Faults{TTFT: time.Hour}, true, 0},
		// Mid-stream: one token every 5 s after the first.
		{"mid-stream", simulate.Faults{TokensPerSecond: 0.2}, true, 2},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			g, local, remote := startChaosWith(t, patient)
			setFaults(t, local, tc.faults)
			ctx, cancel := context.WithCancel(context.Background())
			defer cancel()
			done := make(chan error, 1)
			c := g.client()
			if tc.stream {
				read := make(chan error, 1)
				go func() {
					s := c.Chat.Completions.NewStreaming(ctx, chatParams("chat", "a long story"))
					defer s.Close()
					for i := 0; s.Next(); i++ {
						if i+1 == tc.chunks {
							read <- nil
						}
					}
					done <- s.Err()
				}()
				if tc.chunks > 0 {
					select {
					case <-read:
					case err := <-done:
						t.Fatalf("stream ended before %d chunks: %v", tc.chunks, err)
					}
				} else {
					local.waitStats(t, "the stream to start", func(st simulate.Stats) bool { return st.Streams == 1 })
				}
			} else {
				go func() {
					_, err := c.Chat.Completions.New(ctx, chatParams("chat", "hello?"))
					done <- err
				}()
				local.waitStats(t, "the request to hang", func(st simulate.Stats) bool { return st.Hangs == 1 })
			}

			cancel()
			wctx, wcancel := context.WithTimeout(context.Background(), cancelWithin)
			st, err := local.WaitStats(wctx, func(st simulate.Stats) bool { return st.Cancellations == 1 })
			wcancel()
			if err != nil {
				t.Fatalf("the simulator did not see the cancellation within %v: %+v", cancelWithin, st)
			}
			if err := <-done; !errors.Is(err, context.Canceled) {
				t.Fatalf("client error %v, want context.Canceled", err)
			}
			ev := g.event(t, 1)
			if ev.Status != telemetry.StatusCancelled {
				t.Fatalf("event %+v", ev)
			}
			// The client left: not the backend's fault, and no fallback.
			b := g.breaker(localKey)
			if b.Totals.Failures != 0 || b.Totals.Successes != 0 || b.Counts.Calls != 0 || b.State.String() != "closed" {
				t.Fatalf("the breaker counted a cancellation: %+v", b)
			}
			if n := remote.Stats().Requests; n != 0 {
				t.Fatalf("a cancelled request went to the fallback (%d requests)", n)
			}
		})
	}
}

func TestChaosFailureBeforeTheAnswerFallsBack(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name       string
		faults     simulate.Faults
		stream     bool
		heldOpen   bool // the failure carries Retry-After: the breaker opens at once
		wantLocal  func(simulate.Stats) bool
		wantFaults string
	}{
		{"connection reset", simulate.Faults{Reset: true}, false, false,
			func(st simulate.Stats) bool { return st.Resets == 1 }, "resets"},
		{"connection reset, streaming", simulate.Faults{Reset: true}, true, false,
			func(st simulate.Stats) bool { return st.Resets == 1 }, "resets"},
		{"500", simulate.Faults{ErrorRate: 1, Status: 500}, false, false,
			func(st simulate.Stats) bool { return st.ErrorsInjected == 1 }, "errors_injected"},
		{"500, streaming", simulate.Faults{ErrorRate: 1, Status: 500}, true, false,
			func(st simulate.Stats) bool { return st.ErrorsInjected == 1 }, "errors_injected"},
		{"loading model", simulate.Faults{LoadingFor: time.Hour, RetryAfter: 20}, true, true,
			func(st simulate.Stats) bool { return st.LoadingRejected == 1 }, "loading_rejected"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			g, local, remote := startChaos(t)
			setFaults(t, local, tc.faults)
			const prompt = "fall back please"
			want, _ := expectedChat(prompt)
			got, resp := chatText(t, g, prompt, tc.stream)
			if got != want || resp.Header.Get("X-Flywheel-Backend") != "remote" || resp.Header.Get("X-Flywheel-Attempts") != "2" {
				t.Fatalf("got %q (%s), want the fallback's %q", got, headersOf(resp), want)
			}
			remote.waitStats(t, "the fallback's answer", func(st simulate.Stats) bool { return st.Completed == 1 && st.InFlight == 0 })
			if st := local.Stats(); !tc.wantLocal(st) {
				t.Fatalf("local did not record the fault (%s): %+v", tc.wantFaults, st)
			}
			b := g.breaker(localKey)
			if b.Totals.Failures != 1 {
				t.Fatalf("breaker %+v, want one failure", b)
			}
			if wantState := map[bool]string{true: "open", false: "closed"}[tc.heldOpen]; b.State.String() != wantState {
				t.Fatalf("breaker %s, want %s", b.State, wantState)
			}
		})
	}
}

func TestChaosIdleTimeoutMidStream(t *testing.T) {
	t.Parallel()
	local, remote := localSim(t, "127.0.0.1:0"), remoteSim(t)
	yaml := strings.Replace(chaosConfig, "first_token: 250ms}", "first_token: 250ms, idle: 100ms}", 1)
	g := startGateway(t, yaml, map[string]string{"local": local.url, "remote": remote.url}, gatewayOptions{env: chaosEnv, fake: true})
	settle(t, local, remote)
	setFaults(t, local, simulate.Faults{TokensPerSecond: 0.1}) // 10 s between tokens

	s := g.client().Chat.Completions.NewStreaming(context.Background(), chatParams("chat", "slowly"))
	chunks := 0
	two := make(chan struct{})
	ended := make(chan error, 1)
	go func() {
		for s.Next() {
			if chunks++; chunks == 2 {
				close(two)
			}
		}
		ended <- s.Err()
	}()
	select {
	case <-two:
	case err := <-ended:
		t.Fatalf("the stream ended before its second chunk: %v", err)
	}
	// The idle timer runs on the gateway's fake clock, armed at the
	// second chunk: move the clock past it.
	g.clk.Advance(100 * time.Millisecond)
	err := <-ended
	_ = s.Close()
	var se *ssestream.StreamError
	if !errors.As(err, &se) || !strings.Contains(string(se.Event.Data), `"code":"upstream_timeout"`) {
		t.Fatalf("stream ended with %T %v, want the gateway's upstream_timeout error event", err, err)
	}
	if chunks != 2 { // the role chunk and the first token, then silence
		t.Fatalf("%d chunks before the timeout, want 2", chunks)
	}
	local.waitStats(t, "the gateway to abandon the stalled stream", func(st simulate.Stats) bool { return st.Cancellations == 1 })
	if tot := g.breaker(localKey).Totals; tot.Failures != 1 {
		t.Fatalf("a stalled stream is a failure: %+v", tot)
	}
	if ev := g.event(t, 1); ev.ErrorClass != "idle_timeout" || ev.Status != telemetry.StatusBackendError {
		t.Fatalf("event %+v", ev)
	}
	if n := remote.Stats().Requests; n != 0 {
		t.Fatalf("a started stream went to the fallback (%d requests)", n)
	}
}

// TestChaosTargetModelMissing: a backend that does not serve the target's
// model (an Ollama model not pulled, a renamed vLLM model) answers 404; that
// is the target's fault, not the client's, so the request falls back.
func TestChaosTargetModelMissing(t *testing.T) {
	t.Parallel()
	yaml := strings.Replace(chaosConfig, "{backend: local, model: qwen2.5-coder-7b-instruct}", "{backend: local, model: llama-3-not-pulled}", 1)
	g, local, _ := startChaosWith(t, yaml)
	h := chat(t, g, "is anyone there?")
	if h.Get("X-Flywheel-Backend") != "remote" || h.Get("X-Flywheel-Attempts") != "2" {
		t.Fatalf("backend %q attempts %q, want the fallback", h.Get("X-Flywheel-Backend"), h.Get("X-Flywheel-Attempts"))
	}
	if st := local.Stats(); st.BadRequests != 1 {
		t.Fatalf("local %+v", st)
	}
	if tot := g.breaker("local/llama-3-not-pulled").Totals; tot.Failures != 1 {
		t.Fatalf("a target whose model is missing is a failure: %+v", tot)
	}
}
