package resilience_test

import (
	"fmt"
	"testing"

	"github.com/flywheel-stack/flywheel/clock"
	"github.com/flywheel-stack/flywheel/resilience"
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
