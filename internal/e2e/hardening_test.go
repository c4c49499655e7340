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

// defaultsConfig is the chat route with every retry, breaker and timeout
// setting at its default: what a user who sets none gets.
const defaultsConfig = `
server: {admin_token_env: ADMIN}
health: {interval: 1h}
backends:
  - {name: local, kind: llamacpp, url: {local}}
  - {name: remote, kind: openai, url: {remote}}
routes:
  - name: chat
    targets:
      - {backend: local, model: qwen2.5-coder-7b-instruct}
      - {backend: remote, model: gpt-4o-mini}
`

// TestChaosRetryAfterDefaults: with the default retry policy (two attempts,
// max_delay 10 s) and breaker, a primary that answers 429 or 503 with
// Retry-After does not stall requests: each is answered by the fallback at
// once, the primary is held open for as long as it asked (at most
// max_open_for) and gets its trial call afterwards. The gateway runs on a
// fake clock that only the test moves, so a request that waited would not
// be answered at all.
func TestChaosRetryAfterDefaults(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name   string
		faults simulate.Faults
		held   time.Duration
	}{
		{"429, Retry-After within max_delay", simulate.Faults{ErrorRate: 1, Status: 429, RetryAfter: 7}, 7 * time.Second},
		{"503, Retry-After past max_delay", simulate.Faults{ErrorRate: 1, Status: 503, RetryAfter: 30}, 30 * time.Second},
		{"loading, Retry-After past max_open_for", simulate.Faults{LoadingFor: time.Hour, RetryAfter: 86400}, 5 * time.Minute},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			g, local, _ := startChaosWith(t, defaultsConfig)
			setFaults(t, local, tc.faults)
			start := g.clk.Now()
			for i, prompt := range []string{"rate limited", "still held"} {
				ctx, cancel := context.WithTimeout(context.Background(), waitLimit)
				var resp *http.Response
				_, err := g.client().Chat.Completions.New(ctx, chatParams("chat", prompt), option.WithResponseInto(&resp))
				cancel()
				if err != nil {
					t.Fatalf("request %d: %v (it waited on the gateway's clock)", i+1, err)
				}
				if resp.Header.Get("X-Flywheel-Backend") != "remote" {
					t.Fatalf("request %d: %s", i+1, headersOf(resp))
				}
			}
			if st := local.Stats(); st.Requests != 1 {
				t.Fatalf("the primary saw %d requests, want 1: no retry of a Retry-After, no call while held", st.Requests)
			}
			b := g.adminBreakers(t, adminToken)[localKey]
			if b.State != "open" || b.OpenUntil == nil || !b.OpenUntil.Equal(start.Add(tc.held)) {
				t.Fatalf("breaker %+v, want open until +%s", b, tc.held)
			}
			local.ResetFaults()
			g.clk.Advance(tc.held)
			if h := chat(t, g, "back"); h.Get("X-Flywheel-Backend") != "local" {
				t.Fatalf("after the hold: backend %q", h.Get("X-Flywheel-Backend"))
			}
		})
	}
}

// TestChaosBrokenAnswers: a primary whose 200s are not answers (cut JSON,
// an HTML page, nothing) fails the attempt; the fallback answers, and the
// primary's breaker counts the failures until it opens.
func TestChaosBrokenAnswers(t *testing.T) {
	t.Parallel()
	for _, kind := range []string{simulate.BrokenTruncated, simulate.BrokenHTML, simulate.BrokenEmpty} {
		for _, stream := range []bool{false, true} {
			name := kind
			if stream {
				name += ", streaming"
			}
			t.Run(name, func(t *testing.T) {
				t.Parallel()
				g, local, remote := startChaos(t)
				setFaults(t, local, simulate.Faults{BrokenAnswer: kind})
				for i := 1; i <= 4; i++ {
					const prompt = "a proper answer please"
					want, _ := expectedChat(prompt)
					got, resp := chatText(t, g, prompt, stream)
					if got != want || resp.Header.Get("X-Flywheel-Backend") != "remote" {
						t.Fatalf("request %d: %q (%s), want the fallback's %q", i, got, headersOf(resp), want)
					}
					if ev := g.event(t, i); ev.Status != telemetry.StatusOK || ev.FallbackDepth != 1 {
						t.Fatalf("request %d: event %+v", i, ev)
					}
				}
				remote.waitStats(t, "the fallback's answers", func(st simulate.Stats) bool { return st.Completed == 4 && st.InFlight == 0 })
				// consecutive_failures: 3 opens the breaker; the fourth
				// request does not reach the primary.
				if st := local.Stats(); st.BrokenAnswers != 3 {
					t.Fatalf("local %+v, want 3 broken answers", st)
				}
				if b := g.breaker(localKey); b.Totals.Failures != 3 || b.Totals.Successes != 0 || b.State.String() != "open" {
					t.Fatalf("breaker %+v, want open after 3 failures", b)
				}
			})
		}
	}
}

// TestChaosShutdownEndsStreamsWithAnError: when the shutdown grace runs out
// with a stream still going, the stream ends with an error event, not a cut
// connection, and its backend request is cancelled.
func TestChaosShutdownEndsStreamsWithAnError(t *testing.T) {
	t.Parallel()
	for _, reload := range []bool{false, true} {
		t.Run(map[bool]string{false: "current gateway", true: "gateway replaced by a reload"}[reload], func(t *testing.T) {
			t.Parallel()
			local, remote := localSim(t, "127.0.0.1:0"), remoteSim(t)
			urls := map[string]string{"local": local.url, "remote": remote.url}
			g := startGateway(t, chaosConfig, urls, gatewayOptions{env: chaosEnv, fake: true, grace: 100 * time.Millisecond})
			settle(t, local, remote)
			setFaults(t, local, simulate.Faults{TokensPerSecond: 0.1}) // 10 s between tokens: outlives the grace
			s := g.client().Chat.Completions.NewStreaming(context.Background(), chatParams("chat", "a long answer"))
			defer s.Close()
			if !s.Next() {
				t.Fatalf("no first chunk: %v", s.Err())
			}
			if reload {
				// The stream stays on the gateway it started on; shutdown
				// must end it all the same.
				yaml := chaosConfig
				for name, url := range urls {
					yaml = strings.ReplaceAll(yaml, "{"+name+"}", url)
				}
				cfg, err := config.Parse("flywheel.yaml", []byte(yaml))
				if err != nil {
					t.Fatal(err)
				}
				if err := g.srv.Reload(cfg); err != nil {
					t.Fatal(err)
				}
			}
			_ = g.shutdown()
			g.serveErr = nil // the grace running out is what this test is about
			for s.Next() {
			}
			var se *ssestream.StreamError
			if err := s.Err(); !errors.As(err, &se) || !strings.Contains(string(se.Event.Data), `"code":"server_shutdown"`) {
				t.Fatalf("the stream ended with %T %v, want the gateway's server_shutdown error event", err, err)
			}
			local.waitStats(t, "the stream's cancellation", func(st simulate.Stats) bool { return st.Cancellations == 1 })
			if ev := g.event(t, 1); ev.Status != telemetry.StatusCancelled || ev.ErrorClass != "shutdown" {
				t.Fatalf("event %+v", ev)
			}
			if b := g.breaker(localKey); b.Totals.Failures != 0 {
				t.Fatalf("a shutdown counted against the backend: %+v", b.Totals)
			}
		})
	}
}
