package slo

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/flywheel-stack/flywheel/clock"
	"github.com/flywheel-stack/flywheel/config"
	"github.com/prometheus/client_golang/prometheus/testutil"
)

// TestEvaluatorMetrics checks the gauges after a burn: 10 bad of 100 in
// one minute against a 99% objective.
func TestEvaluatorMetrics(t *testing.T) {
	t.Parallel()
	set := mustCompile(t, config.SLO{Name: "a", Kind: config.SLOAvailability, Objective: 99, Period: config.Period7d, MinEvents: 10})
	clk := clock.NewFake(t0)
	minutes := NewMinutes(set)
	ev := NewEvaluator(set, EvaluatorOptions{Clock: clk, Minutes: minutes, Logger: discard()})
	ctx := context.Background()
	if err := ev.Start(ctx); err != nil {
		t.Fatal(err)
	}
	minutes.add(0, minuteOf(t0), Good, 90)
	minutes.add(0, minuteOf(t0), Bad, 10)
	clk.Advance(time.Minute)
	ev.Tick(ctx)
	// Bad ratio 0.1 over a budget of 0.01: burn rate 10 in every window;
	// 1 - 10 of the budget remains (overspent).
	want := `
# HELP flywheel_slo_alert_active 1 while the SLO's burn-rate alert of this severity (page or ticket) fires, else 0.
# TYPE flywheel_slo_alert_active gauge
flywheel_slo_alert_active{severity="page",slo="a"} 1
flywheel_slo_alert_active{severity="ticket",slo="a"} 1
# HELP flywheel_slo_error_budget_remaining_ratio Share of the SLO's error budget over its period not spent yet (negative once overspent).
# TYPE flywheel_slo_error_budget_remaining_ratio gauge
flywheel_slo_error_budget_remaining_ratio{slo="a"} -9
`
	if err := testutil.CollectAndCompare(ev, strings.NewReader(want), "flywheel_slo_alert_active", "flywheel_slo_error_budget_remaining_ratio"); err != nil {
		t.Error(err)
	}
	if n := testutil.CollectAndCount(ev, "flywheel_slo_burn_rate"); n != len(Windows) {
		t.Errorf("%d burn-rate series, want %d", n, len(Windows))
	}
	for _, st := range ev.Status() {
		for w, b := range st.BurnRates {
			if !near(b, 10) {
				t.Errorf("burn rate %s = %g, want 10", Windows[w].Name, b)
			}
		}
	}
}
