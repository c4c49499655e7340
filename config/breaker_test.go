package config

import (
	"reflect"
	"testing"
	"time"

	"github.com/flywheel-stack/flywheel/resilience"
)

// TestBreakerSection checks what a breaker section turns into, from the
// YAML to the resilience.BreakerConfig.
func TestBreakerSection(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name    string
		breaker string // the value of backends[0].breaker; "" leaves it out
		want    resilience.BreakerConfig
	}{
		// min_calls and open_for are left to the library's defaults (10,
		// 30s): TestBreakerEffectiveDefaults.
		{"absent: DESIGN.md defaults", "",
			resilience.BreakerConfig{Name: "b", FailureRate: 0.5, Window: resilience.TimeWindow, WindowDuration: time.Minute,
				HalfOpenCalls: 2, SlowCall: 20 * time.Second}},
		{"empty section: defaults", "{}",
			resilience.BreakerConfig{Name: "b", FailureRate: 0.5, Window: resilience.TimeWindow, WindowDuration: time.Minute,
				HalfOpenCalls: 2, SlowCall: 20 * time.Second}},
		{"non-rule keys keep the default rules", "{open_for: 1m, window_buckets: 6}",
			resilience.BreakerConfig{Name: "b", FailureRate: 0.5, Window: resilience.TimeWindow, WindowDuration: time.Minute,
				WindowBuckets: 6, OpenFor: time.Minute, HalfOpenCalls: 2, SlowCall: 20 * time.Second}},
		{"a rule replaces the default rules", "{consecutive_failures: 3}",
			resilience.BreakerConfig{Name: "b", ConsecutiveFailures: 3, Window: resilience.TimeWindow, WindowDuration: time.Minute,
				HalfOpenCalls: 2, SlowCall: 20 * time.Second}},
		{"slow call rate", "{slow_call_rate: 0.8, slow_call: 5s}",
			resilience.BreakerConfig{Name: "b", SlowCallRate: 0.8, Window: resilience.TimeWindow, WindowDuration: time.Minute,
				HalfOpenCalls: 2, SlowCall: 5 * time.Second}},
		{"window_calls selects a count window", "{window_calls: 20}",
			resilience.BreakerConfig{Name: "b", FailureRate: 0.5, Window: resilience.CountWindow, WindowSize: 20,
				HalfOpenCalls: 2, SlowCall: 20 * time.Second}},
		{"every key", "{failure_rate: 0.25, slow_call_rate: 1, slow_call: 2s, consecutive_failures: 7, min_calls: 4, window: 2m, " +
			"window_buckets: 12, open_for: 10s, open_backoff: 1.5, max_open_for: 5m, half_open_calls: 3, success_threshold: 5}",
			resilience.BreakerConfig{Name: "b", FailureRate: 0.25, SlowCallRate: 1, SlowCall: 2 * time.Second, ConsecutiveFailures: 7,
				MinCalls: 4, Window: resilience.TimeWindow, WindowDuration: 2 * time.Minute, WindowBuckets: 12, OpenFor: 10 * time.Second,
				OpenBackoff: 1.5, MaxOpenFor: 5 * time.Minute, HalfOpenCalls: 3, SuccessThreshold: 5}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			src := "backends:\n  - name: b\n    kind: vllm\n    url: http://b\n"
			if tt.breaker != "" {
				src += "    breaker: " + tt.breaker + "\n"
			}
			cfg, err := Parse("f.yaml", []byte(src))
			if err != nil {
				t.Fatal(err)
			}
			got := cfg.Backends[0].BreakerConfig()
			if !reflect.DeepEqual(got, tt.want) {
				t.Errorf("BreakerConfig:\n got %+v\nwant %+v", got, tt.want)
			}
			if err := got.Validate(); err != nil {
				t.Errorf("resilience Validate: %v", err)
			}
		})
	}
}

func TestBreakerSpecToResilience(t *testing.T) {
	t.Parallel()
	// The zero spec is the library's zero config: its defaults apply.
	if got := (BreakerSpec{}).ToResilience("x"); !reflect.DeepEqual(got, resilience.BreakerConfig{Name: "x"}) {
		t.Errorf("zero spec = %+v", got)
	}
	// In code, window_calls wins over window.
	got := BreakerSpec{Window: time.Minute, WindowCalls: 30}.ToResilience("")
	if got.Window != resilience.CountWindow || got.WindowSize != 30 || got.WindowDuration != 0 {
		t.Errorf("both windows = %+v, want a count window of 30", got)
	}
}

// TestBreakerValidateInCode checks Config.Validate on a breaker built in
// code: zero means the library default, and errors carry no line.
func TestBreakerValidateInCode(t *testing.T) {
	t.Parallel()
	cfg := Default()
	var b Backend
	b.SetDefaults()
	b.Name, b.Kind, b.URL = "b", KindVLLM, "http://b"
	b.Breaker = BreakerSpec{} // every field at the library default
	cfg.Backends = append(cfg.Backends, b)
	if err := cfg.Validate(); err != nil {
		t.Fatalf("zero breaker: %v", err)
	}
	cfg.Backends[0].Breaker = BreakerSpec{FailureRate: 2, WindowBuckets: 5000, OpenFor: time.Minute, MaxOpenFor: time.Second, SuccessThreshold: -1}
	want := "backends[0].breaker.failure_rate: must be in (0,1], got 2\n" +
		"backends[0].breaker.success_threshold: must be >= 1, got -1\n" +
		"backends[0].breaker.window_buckets: must be in [1,1000], got 5000\n" +
		"backends[0].breaker.max_open_for: must be >= open_for (1m0s), got 1s"
	if err := cfg.Validate(); err == nil || err.Error() != want {
		t.Errorf("Validate:\n got %v\nwant %s", err, want)
	}
}
