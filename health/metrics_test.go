package health

import (
	"net/http"
	"strings"
	"testing"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/promhttp"
	"github.com/prometheus/client_golang/prometheus/testutil"
)

func TestMetricsScrapeRunsNoCheck(t *testing.T) {
	t.Parallel()
	db, cache := newScript(pass), newScript(warn)
	c, _ := startChecker(t, Options{},
		Check{Name: "db", Func: db.run},
		Check{Name: "cache", Func: cache.run, NonCritical: true},
		Check{Name: "model", Func: newScript(Failf("loading")).run, Kind: Startup},
	)
	for _, n := range []string{"db", "cache", "model"} {
		waitRuns(t, c, n, 1)
	}
	before := db.count() + cache.count()

	reg := prometheus.NewPedanticRegistry()
	reg.MustRegister(c.Collector())
	metrics := promhttp.HandlerFor(reg, promhttp.HandlerOpts{})
	for range 50 {
		if code, _ := get(t, metrics, "/metrics"); code != http.StatusOK {
			t.Fatalf("GET /metrics = %d", code)
		}
		if _, err := reg.Gather(); err != nil {
			t.Fatal(err)
		}
	}
	if after := db.count() + cache.count(); after != before {
		t.Fatalf("scrapes ran checks: %d invocations before, %d after", before, after)
	}

	const want = `
# HELP flywheel_health_check_status Cached status of a health check: 1 pass, 0.5 warn, 0 fail or not yet checked.
# TYPE flywheel_health_check_status gauge
flywheel_health_check_status{check="cache"} 0.5
flywheel_health_check_status{check="db"} 1
flywheel_health_check_status{check="heartbeat"} 1
flywheel_health_check_status{check="model"} 0
# HELP flywheel_health_probe_status Cached status of a probe: 1 pass, 0.5 warn, 0 fail.
# TYPE flywheel_health_probe_status gauge
flywheel_health_probe_status{probe="livez"} 1
flywheel_health_probe_status{probe="readyz"} 0.5
flywheel_health_probe_status{probe="startupz"} 0
# HELP flywheel_health_score Composite health score: the weighted share of passing readiness checks, warn counting half, 0 to 100.
# TYPE flywheel_health_score gauge
flywheel_health_score 75
`
	if err := testutil.GatherAndCompare(reg, strings.NewReader(want),
		"flywheel_health_check_status", "flywheel_health_probe_status", "flywheel_health_score"); err != nil {
		t.Error(err)
	}
	if n := testutil.CollectAndCount(c.Collector(), "flywheel_health_check_duration_seconds"); n != 3 {
		t.Errorf("%d duration series, want 3 (one per check that ran)", n)
	}
	if after := db.count() + cache.count(); after != before {
		t.Fatalf("collecting ran checks: %d invocations before, %d after", before, after)
	}
}
