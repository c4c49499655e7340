package resilience_test

import (
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/flywheel-stack/flywheel/clock"
	"github.com/flywheel-stack/flywheel/resilience"
	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/testutil"
)

func TestRegistryCreatesWithOverrides(t *testing.T) {
	t.Parallel()
	var transitions []string
	reg := resilience.NewRegistry(resilience.RegistryConfig{
		Default:       resilience.BreakerConfig{ConsecutiveFailures: 5},
		Overrides:     map[string]resilience.BreakerConfig{"remote/gpt-4o-mini": {ConsecutiveFailures: 1}},
		OnStateChange: func(tr resilience.Transition) { transitions = append(transitions, tr.Breaker+":"+tr.To.String()) },
		Clock:         clock.NewFake(t0),
	})
	local, remote := reg.Get("llama/qwen"), reg.Get("remote/gpt-4o-mini")
	if reg.Get("llama/qwen") != local || reg.Len() != 2 {
		t.Fatal("Get did not return the same breaker")
	}
	if local.Config().ConsecutiveFailures != 5 || remote.Config().ConsecutiveFailures != 1 || remote.Name() != "remote/gpt-4o-mini" {
		t.Fatalf("configs: %+v / %+v", local.Config(), remote.Config())
	}
	feed(t, remote, nil, "f", 0)
	if len(transitions) != 1 || transitions[0] != "remote/gpt-4o-mini:open" {
		t.Fatalf("listener saw %v", transitions)
	}
	snap := reg.Snapshot()
	if len(snap) != 2 || snap[0].Name != "llama/qwen" || snap[1].State != resilience.StateOpen {
		t.Fatalf("snapshot %+v", snap)
	}
}

func TestRegistryEvictsIdleClosedBreakers(t *testing.T) {
	t.Parallel()
	reg := resilience.NewRegistry(resilience.RegistryConfig{Default: resilience.BreakerConfig{ConsecutiveFailures: 1},
		Clock: clock.NewFake(t0)})
	busy, idle, open := reg.Get("busy"), reg.Get("idle"), reg.Get("open")
	_ = idle
	feed(t, open, nil, "f", 0)
	reg.Sweep() // everything was used since creation: only marks
	if reg.Len() != 3 {
		t.Fatalf("first sweep evicted: %d left", reg.Len())
	}
	_, _ = busy.Allow()
	reg.Sweep()
	if _, ok := reg.Lookup("idle"); ok {
		t.Fatal("idle breaker kept")
	}
	if _, ok := reg.Lookup("busy"); !ok {
		t.Fatal("busy breaker evicted")
	}
	if _, ok := reg.Lookup("open"); !ok {
		t.Fatal("an open breaker must never be evicted: its state matters")
	}
}

func TestRegistryBounded(t *testing.T) {
	t.Parallel()
	reg := resilience.NewRegistry(resilience.RegistryConfig{MaxEntries: 10, Clock: clock.NewFake(t0)})
	for i := range 100 {
		reg.Get(fmt.Sprintf("key-%d", i))
	}
	if n := reg.Len(); n > 10 {
		t.Fatalf("registry holds %d breakers, bound is 10", n)
	}
}

func TestCollector(t *testing.T) {
	t.Parallel()
	clk := clock.NewFake(t0)
	reg := resilience.NewRegistry(resilience.RegistryConfig{Default: resilience.BreakerConfig{ConsecutiveFailures: 2, OpenFor: time.Minute},
		Clock: clk})
	feed(t, reg.Get("llama/qwen"), nil, "sff", 0)
	_, _ = reg.Get("llama/qwen").Allow()
	c := resilience.NewCollector(reg)
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
