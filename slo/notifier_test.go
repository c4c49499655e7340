package slo

import (
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"reflect"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/flywheel-stack/flywheel/clock"
	"github.com/flywheel-stack/flywheel/config"
)

// receiver is a fake Alertmanager: it records each request's alerts, or
// answers 503 while down, or waits while held.
type receiver struct {
	t        *testing.T
	srv      *httptest.Server
	down     atomic.Bool
	failures atomic.Int32
	hold     chan struct{} // when not nil, each request waits for it to close

	mu       sync.Mutex
	requests [][]map[string]any
}

func newReceiver(t *testing.T) *receiver {
	r := &receiver{t: t}
	r.srv = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, req *http.Request) {
		if r.hold != nil {
			<-r.hold
		}
		if req.URL.Path != "/api/v2/alerts" || req.Method != http.MethodPost || req.Header.Get("Content-Type") != "application/json" {
			t.Errorf("request %s %s (%s), want POST /api/v2/alerts in JSON", req.Method, req.URL.Path, req.Header.Get("Content-Type"))
		}
		if r.down.Load() {
			r.failures.Add(1)
			http.Error(w, "down", http.StatusServiceUnavailable)
			return
		}
		body, _ := io.ReadAll(req.Body)
		var alerts []map[string]any
		if err := json.Unmarshal(body, &alerts); err != nil {
			t.Errorf("body %s: %v", body, err)
		}
		r.mu.Lock()
		r.requests = append(r.requests, alerts)
		r.mu.Unlock()
		w.WriteHeader(http.StatusOK)
	}))
	t.Cleanup(r.srv.Close)
	return r
}

// alerts returns every alert received, in order.
func (r *receiver) alerts() []map[string]any {
	r.mu.Lock()
	defer r.mu.Unlock()
	var out []map[string]any
	for _, req := range r.requests {
		out = append(out, req...)
	}
	return out
}

// drive fires the fake clock's timers (retry delays, pauses, the breaker)
// until cond holds, failing after 10 s of real time.
func drive(t *testing.T, clk *clock.Fake, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	tick := time.NewTicker(time.Millisecond)
	defer tick.Stop()
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatal("condition not met within 10s")
		}
		if clk.PendingTimers() > 0 {
			clk.Advance(clk.NextTimerIn())
			continue
		}
		<-tick.C
	}
}

// startNotifier runs n until the test ends.
func startNotifier(t *testing.T, n *Notifier) {
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() { defer close(done); _ = n.Run(ctx) }()
	t.Cleanup(func() { cancel(); <-done })
}

func notifierSet(t *testing.T) *Set {
	return mustCompile(t,
		config.SLO{Name: "coder-availability", Kind: config.SLOAvailability, Objective: 99.5, Period: config.Period30d},
		config.SLO{Name: "coder_availability", Kind: config.SLOAvailability, Objective: 99, Period: config.Period7d})
}

// TestNotifierPayload checks the body in Alertmanager's API v2 shape: a
// firing alert without endsAt, then its resolution with endsAt, with the
// labels of `flywheel slo rules`' alerts.
func TestNotifierPayload(t *testing.T) {
	t.Parallel()
	r := newReceiver(t)
	clk := clock.NewFake(t0)
	n := NewNotifier(notifierSet(t), NotifierOptions{URL: r.srv.URL + "/", Clock: clk, Logger: discard(),
		GeneratorURL: "http://gw:8700/admin/v1/slos"})
	startNotifier(t, n)
	start, end := t0.Add(10*time.Minute), t0.Add(95*time.Minute)
	a := Alert{SLO: "coder_availability", Severity: Page, Start: start, BurnRates: map[string]float64{"5m": 20, "1h": 15.5}}
	n.Notify(a)
	drive(t, clk, func() bool { return len(r.alerts()) == 1 })
	a.End, a.EndBurnRates = end, map[string]float64{"5m": 0, "1h": 2}
	n.Notify(a)
	drive(t, clk, func() bool { return n.Sent() == 2 })

	labels := map[string]any{"alertname": "FlywheelSLOCoderAvailability2", "sloth_id": "flywheel-coder_availability",
		"sloth_service": "flywheel", "sloth_slo": "coder_availability", "sloth_severity": "page"}
	want := []map[string]any{
		{"labels": labels, "startsAt": "2026-01-01T00:10:00Z", "generatorURL": "http://gw:8700/admin/v1/slos",
			"annotations": map[string]any{
				"title":       "(page) flywheel coder_availability SLO error budget burn rate is too fast.",
				"summary":     "flywheel coder_availability SLO error budget burn rate is over expected.",
				"description": "objective 99% over 7d; burn rates at start: 5m=20 1h=15.5"}},
		{"labels": labels, "startsAt": "2026-01-01T00:10:00Z", "endsAt": "2026-01-01T01:35:00Z", "generatorURL": "http://gw:8700/admin/v1/slos",
			"annotations": map[string]any{
				"title":       "(page) flywheel coder_availability SLO error budget burn rate is too fast.",
				"summary":     "flywheel coder_availability SLO error budget burn rate is over expected.",
				"description": "objective 99% over 7d; burn rates at start: 5m=20 1h=15.5; at end: 5m=0 1h=2"}},
	}
	if got := r.alerts(); !reflect.DeepEqual(got, want) {
		g, _ := json.MarshalIndent(got, "", "  ")
		t.Errorf("received\n%s", g)
	}
	if n.Pending() != 0 {
		t.Errorf("pending %d after delivery, want 0", n.Pending())
	}
}

// TestNotifierReceiverDown keeps alerts while the receiver answers 503,
// round after round, and delivers them, resolution included, once it is
// back.
func TestNotifierReceiverDown(t *testing.T) {
	t.Parallel()
	r := newReceiver(t)
	r.down.Store(true)
	clk := clock.NewFake(t0)
	n := NewNotifier(notifierSet(t), NotifierOptions{URL: r.srv.URL, Clock: clk, Logger: discard()})
	startNotifier(t, n)
	page := Alert{SLO: "coder-availability", Severity: Page, Start: t0.Add(time.Minute)}
	ticket := Alert{SLO: "coder-availability", Severity: Ticket, Start: t0.Add(2 * time.Minute)}
	n.Notify(page, ticket)
	drive(t, clk, func() bool { return r.failures.Load() >= 8 }) // several rounds of 3 attempts, and the breaker
	resolved := page
	resolved.End = t0.Add(30 * time.Minute)
	n.Notify(resolved)
	n.Notify(page) // a resend after the resolution is stale: the resolution stays
	if got := n.Pending(); got != 2 {
		t.Fatalf("pending %d while down, want 2 (the page's resolution and the ticket)", got)
	}
	r.down.Store(false)
	drive(t, clk, func() bool { return n.Pending() == 0 })
	// A batch taken before the resolution may be delivered first: what
	// counts is the last word on each alert.
	last := map[any]map[string]any{}
	for _, a := range r.alerts() {
		last[a["labels"].(map[string]any)["sloth_severity"]] = a
	}
	if a := last["page"]; a == nil || a["endsAt"] != "2026-01-01T00:30:00Z" || a["startsAt"] != "2026-01-01T00:01:00Z" {
		t.Errorf("page %v, want resolved at 00:30 (started 00:01)", a)
	}
	if a := last["ticket"]; a == nil || a["endsAt"] != nil || a["startsAt"] != "2026-01-01T00:02:00Z" {
		t.Errorf("ticket %v, want firing since 00:02", a)
	}
	if n.Dropped() != 0 {
		t.Errorf("dropped %d, want 0", n.Dropped())
	}
}

// TestNotifierNeverBlocks holds the receiver's answer: Notify returns at
// once however many alerts come, the queue keeps the newest QueueSize,
// and they are delivered when the receiver answers.
func TestNotifierNeverBlocks(t *testing.T) {
	t.Parallel()
	r := newReceiver(t)
	r.hold = make(chan struct{})
	clk := clock.NewFake(t0)
	n := NewNotifier(notifierSet(t), NotifierOptions{URL: r.srv.URL, Clock: clk, Logger: discard(), QueueSize: 3, Timeout: time.Minute})
	startNotifier(t, n)
	alert := func(i int) Alert {
		return Alert{SLO: "coder-availability", Severity: Page, Start: t0.Add(time.Duration(i) * time.Minute)}
	}
	n.Notify(alert(0))
	for i := 1; i < 10; i++ {
		n.Notify(alert(i)) // the sender is stuck in its request
	}
	if n.Pending() != 3 || n.Dropped() != 7 {
		t.Errorf("pending %d, dropped %d; want 3 and 7", n.Pending(), n.Dropped())
	}
	close(r.hold)
	drive(t, clk, func() bool { return n.Pending() == 0 })
	var starts []string
	for _, a := range r.alerts() {
		starts = append(starts, a["startsAt"].(string))
	}
	// The request in flight (alert 0, or the first few) then the newest.
	if last := starts[len(starts)-3:]; !reflect.DeepEqual(last, []string{"2026-01-01T00:07:00Z", "2026-01-01T00:08:00Z", "2026-01-01T00:09:00Z"}) {
		t.Errorf("delivered %v, want the last three to be alerts 7, 8 and 9", starts)
	}
}

// TestNotifierFromConfig reads the URL from url_env, and is nil without a
// webhook.
func TestNotifierFromConfig(t *testing.T) {
	t.Parallel()
	set := notifierSet(t)
	if n, err := NotifierFromConfig(set, config.AlertWebhook{}, nil, NotifierOptions{}); n != nil || err != nil {
		t.Errorf("no webhook: %v, %v; want nil, nil", n, err)
	}
	env := map[string]string{"AM": "http://am:9093"}
	n, err := NotifierFromConfig(set, config.AlertWebhook{URLEnv: "AM"}, func(k string) string { return env[k] }, NotifierOptions{})
	if err != nil || n.endpoint != "http://am:9093/api/v2/alerts" {
		t.Errorf("url_env: %v; endpoint %q", err, n.endpoint)
	}
	if _, err := NotifierFromConfig(set, config.AlertWebhook{URLEnv: "NOPE"}, func(string) string { return "" }, NotifierOptions{}); err == nil ||
		err.Error() != "alerts: the environment variable NOPE (alerts.webhook.url_env) is not set" {
		t.Errorf("unset url_env: %v", err)
	}
}
