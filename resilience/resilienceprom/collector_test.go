package resilienceprom_test

import (
	"strings"
	"testing"
	"time"

	"github.com/flywheel-stack/flywheel/clock"
	"github.com/flywheel-stack/flywheel/resilience"
	"github.com/flywheel-stack/flywheel/resilience/resilienceprom"
	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/testutil"
)

var t0 = time.Date(2025, 1, 2, 3, 4, 5, 0, time.UTC)

func TestCollector(t *testing.T) {
	t.Parallel()
	clk := clock.NewFake(t0)
	reg := resilience.NewRegistry(resilience.RegistryConfig{Default: resilience.BreakerConfig{ConsecutiveFailures: 2, OpenFor: time.Minute},
		Clock: clk})
	b := reg.Get("llama/qwen")
	for _, o := range []resilience.Outcome{resilience.OutcomeSuccess, resilience.OutcomeFailure, resilience.OutcomeFailure} {
		p, err := b.Allow()
		if err != nil {
			t.Fatal(err)
		}
		p.RecordOutcome(o, time.Millisecond)
	}
	_, _ = reg.Get("llama/qwen").Allow()
	c := resilienceprom.NewCollector(reg)
	r := resilience.NewRetrier(resilience.RetryConfig{MaxAttempts: 1})
	c.AddRetrier("llm_inference", r)
	pr := prometheus.NewPedanticRegistry()
	pr.MustRegister(c)
	want := `
# HELP flywheel_breaker_calls_total Calls seen by a circuit breaker, by outcome (success, failure, ignored, rejected).
# TYPE flywheel_breaker_calls_total counter
flywheel_breaker_calls_total{breaker="llama/qwen",outcome="failure"} 2
flywheel_breaker_calls_total{breaker="llama/qwen",outcome="ignored"} 0
flywheel_breaker_calls_total{breaker="llama/qwen",outcome="rejected"} 1
flywheel_breaker_calls_total{breaker="llama/qwen",outcome="success"} 1
# HELP flywheel_breaker_state Circuit breaker state: 1 for the current state, 0 for the others.
# TYPE flywheel_breaker_state gauge
flywheel_breaker_state{breaker="llama/qwen",state="closed"} 0
flywheel_breaker_state{breaker="llama/qwen",state="disabled"} 0
flywheel_breaker_state{breaker="llama/qwen",state="forced_open"} 0
flywheel_breaker_state{breaker="llama/qwen",state="half_open"} 0
flywheel_breaker_state{breaker="llama/qwen",state="open"} 1
# HELP flywheel_retry_calls_total Calls made through a retry policy.
# TYPE flywheel_retry_calls_total counter
flywheel_retry_calls_total{policy="llm_inference"} 0
`
	if err := testutil.GatherAndCompare(pr, strings.NewReader(want), "flywheel_breaker_calls_total",
		"flywheel_breaker_state", "flywheel_retry_calls_total"); err != nil {
		t.Fatal(err)
	}
	if n, err := testutil.GatherAndCount(pr, "flywheel_breaker_transitions_total"); err != nil || n != 5 {
		t.Fatalf("transition series: %d, %v", n, err)
	}
}
