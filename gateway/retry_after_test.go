package gateway

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/flywheel-stack/flywheel/clock"
	"github.com/flywheel-stack/flywheel/resilience"
)

// t0 is when fake clocks start: years ahead of the wall clock, so that a
// wait on the wrong clock shows.
var t0 = time.Date(2030, 3, 1, 12, 0, 0, 0, time.UTC)

// hangGuard bounds a request that must not wait on a fake clock nobody
// advances: far above what any request here needs, so only a request that
// waits fails the test.
const hangGuard = 10 * time.Second

// defaultTargets is twoTargets with every retry, breaker and timeout
// setting at its default: the settings a user gets.
const defaultTargets = `
backends:
  - name: local
    kind: llamacpp
    url: {a}
  - name: remote
    kind: openai
    url: {b}
routes:
  - name: coder
    targets:
      - {backend: local, model: qwen2.5-coder-7b}
      - {backend: remote, model: gpt-4o-mini}
`

// postGuarded posts body and fails the test when no answer comes within
// hangGuard.
func (h *harness) postGuarded(t *testing.T, body string) (*http.Response, string) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), hangGuard)
	defer cancel()
	req, _ := http.NewRequestWithContext(ctx, http.MethodPost, h.srv.URL+"/v1/chat/completions", strings.NewReader(body))
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatalf("no answer: %v (the gateway waited on a clock nobody advances)", err)
	}
	defer resp.Body.Close()
	data, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	return resp, string(data)
}

// TestRetryAfterMovesOnAtOnce: with the default retry and breaker settings,
// a target that answers 429 or 503 with Retry-After does not stall the
// request: its breaker is held open (at most max_open_for, 5 min by
// default) and the next target answers at once. The gateway runs on a fake
// clock that nobody advances, so any wait would hang the request.
func TestRetryAfterMovesOnAtOnce(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name       string
		status     int
		retryAfter string
		held       time.Duration
		extra      string // added to local's section
	}{
		{"429, shorter than max_delay", 429, "7", 7 * time.Second, ""},
		{"503, longer than max_delay", 503, "30", 30 * time.Second, ""},
		{"429, a date a year ahead", 429, t0.AddDate(1, 0, 0).Format(http.TimeFormat), resilience.DefaultMaxOpenFor, ""},
		// A preset whose retry policy does not hold breakers: the
		// gateway holds its target's all the same.
		{"429, internal_service preset", 429, "30", 30 * time.Second, "    retry: {preset: internal_service}\n"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			local, remote := newFakeBackend(t), newFakeBackend(t)
			local.answer(statusAnswer(tc.status, tc.retryAfter))
			remote.answer(okAnswer("from remote"))
			yaml := strings.ReplaceAll(defaultTargets, "    url: {a}\n", "    url: {a}\n"+tc.extra)
			h := newHarnessOn(t, clock.NewFake(t0), yaml, nil, local, remote)
			resp, got := h.postGuarded(t, `{"model":"coder","messages":[]}`)
			if resp.StatusCode != 200 || !strings.Contains(got, "from remote") || resp.Header.Get(HeaderAttempts) != "2" {
				t.Fatalf("%d %s %v, want the fallback's answer after one attempt on local", resp.StatusCode, got, resp.Header)
			}
			if n := local.calls.Load(); n != 1 {
				t.Fatalf("local saw %d calls, want 1: a Retry-After is not retried", n)
			}
			s := h.gw.Breakers().Get("local/qwen2.5-coder-7b").Snapshot()
			if s.State != resilience.StateOpen || !s.OpenUntil.Equal(t0.Add(tc.held)) {
				t.Fatalf("local breaker %s until %v, want held open until +%s", s.State, s.OpenUntil.Sub(t0), tc.held)
			}
			resp, _ = h.postGuarded(t, `{"model":"coder","messages":[]}`)
			if resp.StatusCode != 200 || local.calls.Load() != 1 || resp.Header.Get(HeaderAttempts) != "1" {
				t.Fatalf("second request: %d, attempts %s, local calls %d: a held-open target was called",
					resp.StatusCode, resp.Header.Get(HeaderAttempts), local.calls.Load())
			}
		})
	}
}

// TestRetryAfterCapped: a Retry-After far ahead holds a breaker open for
// max_open_for at most, and the degraded answer's Retry-After says no more.
func TestRetryAfterCapped(t *testing.T) {
	t.Parallel()
	yearAhead := t0.AddDate(1, 0, 0).Format(http.TimeFormat)
	tests := []struct {
		name  string
		extra string // added to local's and remote's sections
		want  time.Duration
	}{
		{"default max_open_for", "", resilience.DefaultMaxOpenFor},
		{"configured max_open_for", "    breaker: {max_open_for: 1m}\n", time.Minute},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			local, remote := newFakeBackend(t), newFakeBackend(t)
			local.answer(statusAnswer(429, yearAhead))
			remote.answer(statusAnswer(503, "31536000"))
			yaml := strings.ReplaceAll(defaultTargets, "    url: {a}\n", "    url: {a}\n"+tc.extra)
			yaml = strings.ReplaceAll(yaml, "    url: {b}\n", "    url: {b}\n"+tc.extra)
			h := newHarnessOn(t, clock.NewFake(t0), yaml, nil, local, remote)
			resp, got := h.postGuarded(t, `{"model":"coder","messages":[]}`)
			if resp.StatusCode != 503 || resp.Header.Get(HeaderDegraded) != "true" {
				t.Fatalf("%d %s", resp.StatusCode, got)
			}
			if ra, want := resp.Header.Get("Retry-After"), fmt.Sprint(int(tc.want/time.Second)); ra != want {
				t.Fatalf("Retry-After %q, want %s", ra, want)
			}
			for _, key := range []string{"local/qwen2.5-coder-7b", "remote/gpt-4o-mini"} {
				if s := h.gw.Breakers().Get(key).Snapshot(); !s.OpenUntil.Equal(t0.Add(tc.want)) {
					t.Fatalf("%s held open until +%s, want +%s", key, s.OpenUntil.Sub(t0), tc.want)
				}
			}
		})
	}
}

// TestTimeoutsOnInjectedClock: the attempt's timers run on the gateway's
// clock, so a first-token timeout fires when a fake clock passes it.
func TestTimeoutsOnInjectedClock(t *testing.T) {
	t.Parallel()
	local, remote := newFakeBackend(t), newFakeBackend(t)
	local.answer(local.hangAnswer())
	remote.answer(okAnswer("from remote"))
	clk := clock.NewFake(t0)
	h := newHarnessOn(t, clk, defaultTargets, nil, local, remote)
	type answer struct {
		resp *http.Response
		body string
	}
	done := make(chan answer, 1)
	go func() {
		resp, body := h.postGuarded(t, `{"model":"coder","messages":[]}`)
		done <- answer{resp, body}
	}()
	ctx, cancel := context.WithTimeout(context.Background(), hangGuard)
	defer cancel()
	if err := clk.WaitForTimers(ctx, 2); err != nil { // the attempt's first-token and total timers
		t.Fatal(err)
	}
	waitFor(t, "the request to reach local", func() bool { return local.calls.Load() == 1 })
	clk.Advance(30 * time.Second) // the default first_token
	a := <-done
	if a.resp.StatusCode != 200 || !strings.Contains(a.body, "from remote") {
		t.Fatalf("%d %s", a.resp.StatusCode, a.body)
	}
	select {
	case <-local.cancel:
	case <-ctx.Done():
		t.Fatal("the timed-out request to local was not cancelled")
	}
	if ev := h.lastEvent(t, 1); ev.Backend != "remote" || ev.Attempts != 2 {
		t.Fatalf("event %+v", ev)
	}
}

// waitFor polls cond until it holds, failing the test after hangGuard.
func waitFor(t *testing.T, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(hangGuard)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("waiting for %s: gave up after %v", what, hangGuard)
		}
		<-time.After(time.Millisecond) // poll interval, not a wait for state
	}
}
