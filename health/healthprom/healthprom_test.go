package healthprom

import (
	"context"
	"math"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/promhttp"
	"github.com/prometheus/client_golang/prometheus/testutil"

	"github.com/flywheel-stack/flywheel/clock"
	"github.com/flywheel-stack/flywheel/health"
)

var t0 = time.Date(2025, 1, 2, 3, 4, 5, 0, time.UTC)

// counted returns a check function giving r and counting its runs.
func counted(n *atomic.Int64, r health.Result) health.CheckFunc {
	return func(context.Context) health.Result {
		n.Add(1)
		return r
	}
}

// started returns a started checker on a fake clock whose checks have each
// run once.
func started(t *testing.T, opts health.Options, checks ...health.Check) *health.Checker {
	t.Helper()
	opts.Clock = clock.NewFake(t0)
	opts.Listener = health.ListenerFunc(func(health.Change) {})
	c, err := health.New(opts, checks...)
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(t.Context(), 10*time.Second)
	defer cancel()
	if err := c.Start(context.Background()); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(c.Stop)
	if err := c.WaitFirstRun(ctx); err != nil {
		t.Fatal(err)
	}
	return c
}

func TestMetricsScrapeRunsNoCheck(t *testing.T) {
	t.Parallel()
	var runs atomic.Int64
	c := started(t, health.Options{},
		health.Check{Name: "db", Func: counted(&runs, health.Result{})},
		health.Check{Name: "cache", Func: counted(&runs, health.Warnf("slow")), NonCritical: true},
		health.Check{Name: "model", Func: counted(&runs, health.Failf("loading")), Kind: health.Startup},
	)
	before := runs.Load()

	reg := prometheus.NewPedanticRegistry()
	reg.MustRegister(NewCollector(c))
	metrics := promhttp.HandlerFor(reg, promhttp.HandlerOpts{})
	for range 50 {
		rec := httptest.NewRecorder()
		metrics.ServeHTTP(rec, httptest.NewRequest(http.MethodGet, "/metrics", nil))
		if rec.Code != http.StatusOK {
			t.Fatalf("GET /metrics = %d", rec.Code)
		}
	}
	if after := runs.Load(); after != before {
		t.Fatalf("scrapes ran checks: %d runs before, %d after", before, after)
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
	if n := testutil.CollectAndCount(NewCollector(c), "flywheel_health_check_duration_seconds"); n != 3 {
		t.Errorf("%d duration series, want 3 (one per check that ran)", n)
	}
	if n := testutil.CollectAndCount(NewCollector(c), "flywheel_host_cpu_percent", "flywheel_host_memory_percent",
		"flywheel_host_disk_percent"); n != 0 {
		t.Errorf("%d host series without a performance probe, want 0", n)
	}
	if after := runs.Load(); after != before {
		t.Fatalf("collecting ran checks: %d runs before, %d after", before, after)
	}
}

// The host values the performance probe samples are exported as gauges,
// not only as the probe's status; a value it could not read is left out
// rather than exported as 0.
func TestHostGauges(t *testing.T) {
	t.Parallel()
	c := started(t, health.Options{Performance: health.PerfOptions{
		Sampler: func(context.Context) (health.PerfSample, error) {
			return health.PerfSample{CPUPercent: 37.5, MemoryPercent: 61.25, DiskPercent: math.NaN()}, nil
		},
	}})
	reg := prometheus.NewPedanticRegistry()
	reg.MustRegister(NewCollector(c))
	const want = `
# HELP flywheel_host_cpu_percent Host CPU busy between the last two samples of the health performance probe, 0 to 100.
# TYPE flywheel_host_cpu_percent gauge
flywheel_host_cpu_percent 37.5
# HELP flywheel_host_memory_percent Host memory in use at the last sample of the health performance probe, 0 to 100.
# TYPE flywheel_host_memory_percent gauge
flywheel_host_memory_percent 61.25
`
	if err := testutil.GatherAndCompare(reg, strings.NewReader(want),
		"flywheel_host_cpu_percent", "flywheel_host_memory_percent", "flywheel_host_disk_percent"); err != nil {
		t.Error(err)
	}
}
