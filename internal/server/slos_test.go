package server

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/flywheel-stack/flywheel/clock"
	"github.com/flywheel-stack/flywheel/gateway"
	"github.com/flywheel-stack/flywheel/slo"
	"github.com/flywheel-stack/flywheel/store"
	"github.com/flywheel-stack/flywheel/store/sqlite"
)

// switchBackend answers chat completions, or 500 while failing is set.
func switchBackend(t *testing.T, failing *atomic.Bool) *httptest.Server {
	t.Helper()
	b := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		_, _ = io.Copy(io.Discard, r.Body)
		if failing != nil && failing.Load() {
			http.Error(w, `{"error":{"message":"down"}}`, http.StatusInternalServerError)
			return
		}
		w.Header().Set("Content-Type", "application/json")
		fmt.Fprint(w, `{"id":"c","object":"chat.completion","choices":[{"index":0,"message":{"role":"assistant","content":"ok"},"finish_reason":"stop"}],"usage":{"prompt_tokens":1,"completion_tokens":1,"total_tokens":2}}`)
	}))
	t.Cleanup(b.Close)
	return b
}

// sloEvents reads flywheel_slo_events_total{slo, result} from srv's
// registry.
func sloEvents(t *testing.T, srv *Server, name, result string) float64 {
	t.Helper()
	mfs, err := srv.Registry.Gather()
	if err != nil {
		t.Fatal(err)
	}
	for _, mf := range mfs {
		if mf.GetName() != "flywheel_slo_events_total" {
			continue
		}
		for _, m := range mf.GetMetric() {
			labels := map[string]string{}
			for _, l := range m.GetLabel() {
				labels[l.GetName()] = l.GetValue()
			}
			if labels["slo"] == name && labels["result"] == result {
				return m.GetCounter().GetValue()
			}
		}
	}
	return 0
}

// TestServeJudgesSLOsAndWritesTheirMinutes runs `flywheel serve` with an
// SLO on a SQLite store: a request is judged (flywheel_slo_events_total in
// /metrics), GET /admin/v1/slos lists the SLO behind the admin token, and
// the minute's count is in the store once Serve has returned.
func TestServeJudgesSLOsAndWritesTheirMinutes(t *testing.T) {
	t.Parallel()
	st, err := sqlite.Open(context.Background(), filepath.Join(t.TempDir(), "flywheel.db"), sqlite.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	b := switchBackend(t, nil)
	_, addr, cancel, out := runServerWith(t, fmt.Sprintf(`
resources: {gpu: "off"}
backends:
  - {name: a, kind: openai, url: %q}
routes:
  - {name: chat, targets: [{backend: a, model: m}]}
slos:
  - {name: chat-availability, route: chat, kind: availability, objective: 99.5}
  - {name: chat-ttft, route: chat, kind: ttft, threshold: 10s, objective: 95}
`, b.URL), Options{Getenv: testGetenv(nil), Store: st})
	base := "http://" + addr
	if code, body := chat(t, base, "chat"); code != http.StatusOK {
		t.Fatalf("chat: %d %s", code, body)
	}
	waitFor(t, "the request to be judged", func() bool {
		_, metrics := get(t, base+"/metrics")
		return strings.Contains(metrics, `flywheel_slo_events_total{result="good",slo="chat-availability"} 1`) &&
			strings.Contains(metrics, `flywheel_slo_events_total{result="good",slo="chat-ttft"} 1`)
	})
	_, metrics := get(t, base+"/metrics")
	if want := `flywheel_slo_error_budget_remaining_ratio{slo="chat-availability"}`; !strings.Contains(metrics, want) {
		t.Errorf("/metrics lacks %s", want)
	}

	code, body := get(t, base+"/admin/v1/slos")
	if code != http.StatusOK {
		t.Fatalf("/admin/v1/slos: %d %s", code, body)
	}
	var view struct {
		SLOs []struct {
			Name      string  `json:"name"`
			Kind      string  `json:"kind"`
			Objective float64 `json:"objective"`
			Period    string  `json:"period"`
			Threshold string  `json:"threshold"`
		} `json:"slos"`
	}
	if err := json.Unmarshal([]byte(body), &view); err != nil {
		t.Fatalf("%v\n%s", err, body)
	}
	if len(view.SLOs) != 2 || view.SLOs[0].Name != "chat-availability" || view.SLOs[0].Objective != 99.5 ||
		view.SLOs[0].Period != "30d" || view.SLOs[1].Kind != "ttft" || view.SLOs[1].Threshold != "10s" {
		t.Fatalf("/admin/v1/slos:\n%s", body)
	}
	resp, err := http.Get(base + "/admin/v1/slos")
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusUnauthorized {
		t.Fatalf("/admin/v1/slos without the admin token: %d, want 401", resp.StatusCode)
	}

	cancel()
	<-out.done
	if out.err != nil {
		t.Fatal(out.err)
	}
	// Serve returned: the SLO service wrote the minute's counts first.
	ss, ok := store.Store(st).(store.SLOStore)
	if !ok {
		t.Fatal("the SQLite store keeps no SLO minutes")
	}
	now := time.Now()
	rows, err := slo.AdaptStore(ss).Minutes(context.Background(), now.Add(-time.Hour), now.Add(time.Hour))
	if err != nil {
		t.Fatal(err)
	}
	got := map[string]uint64{}
	for _, r := range rows {
		got[r.SLO+" good"] += r.Good
		got[r.SLO+" bad"] += r.Bad
	}
	if got["chat-availability good"] != 1 || got["chat-ttft good"] != 1 || got["chat-availability bad"] != 0 {
		t.Fatalf("stored minutes %v, want one good event per SLO", got)
	}
}

// demoteConfig is a route [a, b] with an SLO on backend a that demotes it
// on a page alert; %[1]s and %[2]s are the backends' URLs.
const demoteConfig = `
resources: {gpu: "off"}
backends:
  - name: a
    kind: openai
    url: %[1]s
    retry: {preset: llm_inference, max_attempts: 1}
    breaker: {consecutive_failures: 1000}
  - {name: b, kind: openai, url: %[2]s}
routes:
  - name: chat
    targets: [{backend: a, model: m}, {backend: b, model: m}]
slos:
  - {name: a-availability, backend: a, kind: availability, objective: 99, on_page: demote}
`

// fakeServer builds a server for cfgText on clk, serving through its
// Handler (no Serve: the test drives the SLO service with Tick).
func fakeServer(t *testing.T, cfgText string, clk clock.Clock, st store.Store, logs io.Writer) (*Server, string) {
	t.Helper()
	if logs == nil {
		logs = io.Discard
	}
	srv, err := New(mustParse(t, cfgText), Options{Logger: slog.New(slog.NewTextHandler(logs, nil)), Clock: clk,
		Getenv: testGetenv(nil), Store: st})
	if err != nil {
		t.Fatal(err)
	}
	front := httptest.NewServer(srv.Handler())
	t.Cleanup(func() {
		front.Close()
		_ = srv.Close(context.Background())
	})
	return srv, front.URL
}

// answeredBy sends a chat request for model and returns the backend that
// answered.
func answeredBy(t *testing.T, base, model string) string {
	t.Helper()
	resp, err := http.Post(base+"/v1/chat/completions", "application/json",
		strings.NewReader(`{"model":"`+model+`","messages":[{"role":"user","content":"hi"}]}`))
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	_, _ = io.Copy(io.Discard, resp.Body)
	return resp.Header.Get(gateway.HeaderBackend)
}

// burnA makes backend a fail n requests addressed to it directly (no
// fallback: each is a 500 to the client), and waits until they are judged.
func burnA(t *testing.T, srv *Server, base string, failing *atomic.Bool, n int) {
	t.Helper()
	failing.Store(true)
	before := sloEvents(t, srv, "a-availability", "bad")
	for range n {
		answeredBy(t, base, "a/m")
	}
	waitFor(t, "the failures to be judged", func() bool {
		return sloEvents(t, srv, "a-availability", "bad") == before+float64(n)
	})
	failing.Store(false)
}

// TestPageAlertDemotesTheBackend plays a fast burn on the fake clock: the
// backend of an SLO with on_page: demote moves behind the next target of
// its route while the page alert fires, in the gateway serving now and in
// the one a reload builds, and comes back when the alert resolves. The
// alert and the demotion show in GET /admin/v1/slos and the breakers
// listing.
func TestPageAlertDemotesTheBackend(t *testing.T) {
	t.Parallel()
	var failing atomic.Bool
	a, b := switchBackend(t, &failing), switchBackend(t, nil)
	clk := clock.NewFake(time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC))
	logs := &syncBuffer{}
	cfgText := fmt.Sprintf(demoteConfig, a.URL, b.URL)
	srv, base := fakeServer(t, cfgText, clk, nil, logs)
	ctx := context.Background()
	svc := srv.SLOs()
	svc.Tick(ctx)

	if got := answeredBy(t, base, "chat"); got != "a" {
		t.Fatalf("before the burn, chat was answered by %q, want a", got)
	}
	burnA(t, srv, base, &failing, 12)
	clk.Advance(time.Minute)
	if trs := svc.Tick(ctx); len(trs) == 0 {
		t.Fatal("12 failures in a minute at 99% fired no alert")
	}
	if got := svc.Status()[0].Alerts[0]; got.Severity != slo.Page || !got.Active {
		t.Fatalf("page alert: %+v", got)
	}
	if got := answeredBy(t, base, "chat"); got != "b" {
		t.Fatalf("while the page fires, chat was answered by %q, want b first", got)
	}
	if _, metrics := get(t, base+"/metrics"); !strings.Contains(metrics, `flywheel_slo_alert_active{severity="page",slo="a-availability"} 1`) {
		t.Errorf("/metrics does not show the page alert:\n%s", metrics)
	}
	if !strings.Contains(logs.String(), "backend demoted") {
		t.Errorf("the demotion is not logged:\n%s", logs)
	}
	code, body := get(t, base+"/admin/v1/slos")
	if code != http.StatusOK || !strings.Contains(body, `"demoted_backends": [
    "a"
  ]`) || !strings.Contains(body, `"demoted": true`) || !strings.Contains(body, `"severity": "page",
          "active": true`) {
		t.Fatalf("/admin/v1/slos while demoted: %d\n%s", code, body)
	}
	if _, body := get(t, base+"/admin/v1/breakers"); !strings.Contains(body, `"key":"a/m","state":"closed"`) ||
		!strings.Contains(body, `"demoted_backends":["a"]`) || !strings.Contains(body, `"demoted":true`) {
		t.Fatalf("/admin/v1/breakers while demoted:\n%s", body)
	}

	// A reload builds a new gateway: the demotion carries over.
	if err := srv.Reload(mustParse(t, cfgText)); err != nil {
		t.Fatal(err)
	}
	if got := answeredBy(t, base, "chat"); got != "b" {
		t.Fatalf("after a reload during the page, chat was answered by %q, want b first", got)
	}

	// No more failures: the page's slow row (30m and 6h over 6) holds
	// while the bad minute is in the last 30 minutes.
	for range 29 {
		clk.Advance(time.Minute)
		svc.Tick(ctx)
		if got := answeredBy(t, base, "chat"); got != "b" {
			t.Fatalf("at %s, page active=%v, chat answered by %q, want b", clk.Now().Format("15:04"),
				svc.Status()[0].Alerts[0].Active, got)
		}
	}
	clk.Advance(time.Minute)
	svc.Tick(ctx)
	if svc.Status()[0].Alerts[0].Active {
		t.Fatalf("the page still fires 31 minutes after the burn: %+v", svc.Status()[0])
	}
	if got := answeredBy(t, base, "chat"); got != "a" {
		t.Fatalf("after the page resolved, chat was answered by %q, want a first", got)
	}
	if d := srv.Gateway().Demoted(); len(d) != 0 {
		t.Fatalf("still demoted: %v", d)
	}
	if !strings.Contains(logs.String(), "backend back in its place") {
		t.Errorf("the end of the demotion is not logged:\n%s", logs)
	}
}

// TestCoveredFailuresDemoteTheBackend: in a route [a, b] where a fails and
// b answers every request, the client sees no error, yet each of a's
// failures is bad for a's SLO (and the route's SLO counts good answers):
// the page fires and a is demoted behind b. On the fake clock.
func TestCoveredFailuresDemoteTheBackend(t *testing.T) {
	t.Parallel()
	var failing atomic.Bool
	a, b := switchBackend(t, &failing), switchBackend(t, nil)
	cfgText := fmt.Sprintf(demoteConfig, a.URL, b.URL) +
		"  - {name: chat-availability, route: chat, kind: availability, objective: 99}\n"
	clk := clock.NewFake(time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC))
	srv, base := fakeServer(t, cfgText, clk, nil, nil)
	ctx := context.Background()
	svc := srv.SLOs()
	svc.Tick(ctx)

	failing.Store(true)
	const n = 12
	for i := range n {
		if got := answeredBy(t, base, "chat"); got != "b" {
			t.Fatalf("request %d: answered by %q, want b covering for a", i, got)
		}
	}
	waitFor(t, "a's failures to be judged", func() bool {
		return sloEvents(t, srv, "chat-availability", "good") == n
	})
	if bad, good := sloEvents(t, srv, "a-availability", "bad"), sloEvents(t, srv, "a-availability", "good"); bad != n || good != 0 {
		t.Fatalf("a-availability counted %g bad, %g good; want %d bad: each request a failed", bad, good, n)
	}
	if bad := sloEvents(t, srv, "chat-availability", "bad"); bad != 0 {
		t.Fatalf("chat-availability counted %g bad; b answered every request", bad)
	}
	clk.Advance(time.Minute)
	svc.Tick(ctx)
	if got := svc.Status()[0].Alerts[0]; got.Severity != slo.Page || !got.Active {
		t.Fatalf("a's page alert after %d covered failures: %+v", n, got)
	}
	if got := srv.Gateway().Demoted(); len(got) != 1 || got[0] != "a" {
		t.Fatalf("demoted backends %v, want [a]", got)
	}
	failing.Store(false)
	if got := answeredBy(t, base, "chat"); got != "b" {
		t.Fatalf("while a is demoted, chat was answered by %q, want b first", got)
	}
}

// TestRestartWithAPageActiveDemotesAtStart: a page alert active in the
// store when a server starts emits no transition; the backend is demoted
// from the status the service loads.
func TestRestartWithAPageActiveDemotesAtStart(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	open := func() store.Store {
		st, err := sqlite.Open(context.Background(), filepath.Join(dir, "flywheel.db"), sqlite.Options{})
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { _ = st.Close() })
		return st
	}
	var failing atomic.Bool
	a, b := switchBackend(t, &failing), switchBackend(t, nil)
	cfgText := fmt.Sprintf(demoteConfig, a.URL, b.URL)
	clk := clock.NewFake(time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC))
	ctx := context.Background()

	first, base := fakeServer(t, cfgText, clk, open(), nil)
	first.SLOs().Tick(ctx)
	burnA(t, first, base, &failing, 12)
	clk.Advance(time.Minute)
	first.SLOs().Tick(ctx) // fires the page and writes the minutes

	second, base2 := fakeServer(t, cfgText, clk, open(), nil)
	if got := answeredBy(t, base2, "chat"); got != "a" {
		t.Fatalf("before its SLO service starts, the new server's chat was answered by %q", got)
	}
	stop := second.startBackground(ctx)
	defer stop()
	waitFor(t, "backend a demoted at start", func() bool {
		got := second.Gateway().Demoted()
		return len(got) == 1 && got[0] == "a"
	})
	if got := answeredBy(t, base2, "chat"); got != "b" {
		t.Fatalf("after a start with the page active, chat was answered by %q, want b", got)
	}
}

// TestAdminSLOsWithoutSLOs: the endpoint answers an empty list, and null
// resources before the sampler's first round.
func TestAdminSLOsWithoutSLOs(t *testing.T) {
	t.Parallel()
	b := switchBackend(t, nil)
	_, base := fakeServer(t, fmt.Sprintf(`
backends: [{name: a, kind: openai, url: %q}]
routes: [{name: chat, targets: [{backend: a, model: m}]}]
`, b.URL), clock.NewFake(time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)), nil, nil)
	code, body := get(t, base+"/admin/v1/slos")
	if code != http.StatusOK || !strings.Contains(body, `"slos": []`) || !strings.Contains(body, `"resources": null`) {
		t.Fatalf("%d\n%s", code, body)
	}
}
