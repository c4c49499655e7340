package deploycheck

import (
	"bufio"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"regexp"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/flywheel-stack/flywheel/config"
	"github.com/flywheel-stack/flywheel/internal/server"
	"github.com/flywheel-stack/flywheel/simulate"
	"github.com/flywheel-stack/flywheel/store/open"
	"go.yaml.in/yaml/v3"
)

// metricNames finds the flywheel_ metric names in a PromQL expression.
var metricName = regexp.MustCompile(`\bflywheel_[a-zA-Z0-9_]+`)

// ruleMetrics returns the metrics each alert rule names, by alert.
func ruleMetrics(t *testing.T) map[string][]string {
	t.Helper()
	data, err := os.ReadFile(deployDir + "prometheus/flywheel-rules.yml")
	if err != nil {
		t.Fatal(err)
	}
	var rules struct {
		Groups []struct {
			Rules []struct{ Alert, Record, Expr string }
		}
	}
	if err := yaml.Unmarshal(data, &rules); err != nil {
		t.Fatal(err)
	}
	out := map[string][]string{}
	for _, g := range rules.Groups {
		for _, r := range g.Rules {
			out["rule "+r.Alert+r.Record] = metricName.FindAllString(r.Expr, -1)
		}
	}
	return out
}

// dashboardMetrics returns the metrics named by each panel query and
// template variable of the dashboard.
func dashboardMetrics(t *testing.T) map[string][]string {
	t.Helper()
	data, err := os.ReadFile(deployDir + "grafana/flywheel-dashboard.json")
	if err != nil {
		t.Fatal(err)
	}
	var dash any
	if err := json.Unmarshal(data, &dash); err != nil {
		t.Fatal(err)
	}
	out := map[string][]string{}
	var walk func(where string, v any)
	walk = func(where string, v any) {
		switch v := v.(type) {
		case map[string]any:
			if title, ok := v["title"].(string); ok {
				where = "dashboard panel " + title
			} else if name, ok := v["name"].(string); ok {
				where = "dashboard variable " + name
			}
			for k, x := range v {
				if s, ok := x.(string); ok && (k == "expr" || k == "query" || k == "definition") {
					out[where] = append(out[where], metricName.FindAllString(s, -1)...)
					continue
				}
				walk(where, x)
			}
		case []any:
			for _, x := range v {
				walk(where, x)
			}
		}
	}
	walk("dashboard", dash)
	return out
}

// exportedTypes reads the "# TYPE name type" lines of a /metrics scrape.
func exportedTypes(t *testing.T, url string) map[string]string {
	t.Helper()
	resp, err := http.Get(url)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	types := map[string]string{}
	sc := bufio.NewScanner(resp.Body)
	sc.Buffer(make([]byte, 1<<20), 1<<20)
	for sc.Scan() {
		if f := strings.Fields(sc.Text()); len(f) == 4 && f[0] == "#" && f[1] == "TYPE" {
			types[f[2]] = f[3]
		}
	}
	if err := sc.Err(); err != nil {
		t.Fatal(err)
	}
	return types
}

// exported reports whether a name used in PromQL is a series that exists:
// a metric family, or a histogram's _bucket, _sum or _count.
func exported(types map[string]string, name string) bool {
	if _, ok := types[name]; ok {
		return true
	}
	for _, suffix := range []string{"_bucket", "_sum", "_count"} {
		if base, ok := strings.CutSuffix(name, suffix); ok && (types[base] == "histogram" || (suffix != "_bucket" && types[base] == "summary")) {
			return true
		}
	}
	return false
}

func startSimulator(t *testing.T, cfg simulate.Config) string {
	t.Helper()
	sim, err := simulate.New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(sim)
	t.Cleanup(srv.Close)
	return srv.URL
}

// TestRulesAndDashboardNameExportedMetrics serves traffic through a real
// `flywheel serve` in front of simulators (an answer, a fallback, a
// degraded answer, a stream) so that every labelled family has series, then
// checks each metric the alert rules and the dashboard name against
// /metrics.
func TestRulesAndDashboardNameExportedMetrics(t *testing.T) {
	good := startSimulator(t, simulate.Config{Models: []string{"m"}, Seed: 1})
	bad := startSimulator(t, simulate.Config{Models: []string{"m"}, Seed: 1, Faults: simulate.Faults{ErrorRate: 1, Status: 500}})
	cfgText := fmt.Sprintf(`
server: {admin_token_env: ""}
store: {driver: sqlite, dsn: %q}
health: {interval: 1h}
backends:
  - {name: good, kind: llamacpp, url: %q, retry: {max_attempts: 1}}
  - {name: bad, kind: llamacpp, url: %q, retry: {max_attempts: 1}}
routes:
  - name: chat
    targets: [{backend: bad, model: m}, {backend: good, model: m}]
  - name: down
    targets: [{backend: bad, model: m}]
    degraded: {status: 503, message: "degraded"}
  - name: direct
    targets: [{backend: good, model: m}]
`, t.TempDir()+"/flywheel.db", good, bad)
	cfg, err := config.Parse("test.yaml", []byte(cfgText))
	if err != nil {
		t.Fatal(err)
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	// The store as `flywheel serve` opens it, so the telemetry writer's
	// metrics are there too.
	st, err := open.Store(context.Background(), cfg.Store, func(string) string { return "" })
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	srv, err := server.New(cfg, server.Options{Listener: ln, Logger: slog.New(slog.NewTextHandler(io.Discard, nil)), Store: st})
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- srv.Serve(ctx) }()
	defer func() {
		cancel()
		if err := <-done; err != nil {
			t.Errorf("serve: %v", err)
		}
	}()
	base := "http://" + ln.Addr().String()
	waitReady(t, base)

	for _, req := range []struct {
		route  string
		stream bool
		status int
	}{
		{"direct", false, 200}, {"direct", true, 200}, {"chat", false, 200}, {"down", false, 503},
	} {
		body := fmt.Sprintf(`{"model":%q,"stream":%t,"messages":[{"role":"user","content":"hello there"}]}`, req.route, req.stream)
		resp, err := http.Post(base+"/v1/chat/completions", "application/json", strings.NewReader(body))
		if err != nil {
			t.Fatal(err)
		}
		_, _ = io.Copy(io.Discard, resp.Body)
		resp.Body.Close()
		if resp.StatusCode != req.status {
			t.Fatalf("%s (stream %t): status %d, want %d", req.route, req.stream, resp.StatusCode, req.status)
		}
	}

	types := exportedTypes(t, base+"/metrics")
	var names []string
	for name := range types {
		if strings.HasPrefix(name, "flywheel_") {
			names = append(names, name)
		}
	}
	sort.Strings(names)
	uses := ruleMetrics(t)
	for where, m := range dashboardMetrics(t) {
		uses[where] = append(uses[where], m...)
	}
	if len(uses) < 10 {
		t.Fatalf("found metric uses in only %d rules and panels; the parsing of the files is broken", len(uses))
	}
	var places []string
	for where := range uses {
		places = append(places, where)
	}
	sort.Strings(places)
	checked := map[string]bool{}
	for _, where := range places {
		for _, name := range uses[where] {
			checked[name] = true
			if !exported(types, name) {
				t.Errorf("%s names %s, which flywheel serve does not export", where, name)
			}
		}
	}
	for _, must := range []string{"flywheel_breaker_state", "flywheel_health_probe_status", "flywheel_telemetry_dropped_total",
		"flywheel_gateway_requests_total", "flywheel_gateway_fallbacks_total", "flywheel_health_score",
		"flywheel_gateway_request_duration_seconds_bucket", "flywheel_gateway_time_to_first_token_seconds_bucket",
		"flywheel_gateway_tokens_total"} {
		if !checked[must] {
			t.Errorf("neither the rules nor the dashboard use %s", must)
		}
	}
	if t.Failed() {
		t.Logf("flywheel serve exports: %s", strings.Join(names, " "))
	}
}

// waitReady polls /readyz until it answers 200.
func waitReady(t *testing.T, base string) {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	tick := time.NewTicker(10 * time.Millisecond)
	defer tick.Stop()
	for {
		resp, err := http.Get(base + "/readyz")
		if err == nil {
			resp.Body.Close()
			if resp.StatusCode == http.StatusOK {
				return
			}
		}
		if time.Now().After(deadline) {
			t.Fatalf("/readyz not ready in time (last: %v)", err)
		}
		<-tick.C
	}
}
