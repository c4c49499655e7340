package loadgen

import (
	"context"
	"errors"
	"testing"
	"time"
)

// fakeRate is a target that holds up to capacity req/s and then queues:
// its p99 jumps past any bound.
func fakeRate(capacity float64, calls *[]float64) func(float64) (PhaseResult, error) {
	return func(rate float64) (PhaseResult, error) {
		*calls = append(*calls, rate)
		p := PhaseResult{OK: 100, Elapsed: time.Second, Latency: Percentiles{P50: time.Millisecond, P99: 2 * time.Millisecond}}
		if rate > capacity {
			p.Latency.P99 = time.Second
		}
		return p, nil
	}
}

func TestRampThenBisect(t *testing.T) {
	t.Parallel()
	cfg := SearchConfig{Start: 1000, Max: 100000, Factor: 1.5, Step: time.Second, Refine: 3,
		MaxErrorRate: 0.01, MaxP99: 50 * time.Millisecond}
	var calls []float64
	sat, err := ramp(cfg, "via", fakeRate(3000, &calls))
	if err != nil {
		t.Fatal(err)
	}
	// 1000, 1500, 2250 hold; 3375 breaks; bisect 2813 (holds), 3094
	// (breaks), 2954 (holds).
	want := []float64{1000, 1500, 2250, 3375, 2813, 3094, 2954}
	if len(calls) != len(want) {
		t.Fatalf("rates tried %v, want %v", calls, want)
	}
	for i := range want {
		if calls[i] != want[i] {
			t.Fatalf("rates tried %v, want %v", calls, want)
		}
	}
	if sat.Rate != 2954 || sat.Capped || len(sat.Steps) != len(want) || sat.Steps[3].Held || sat.Steps[3].Why == "" {
		t.Errorf("saturation %+v", sat)
	}
	if sat.Throughput != 100 {
		t.Errorf("throughput %g, want the held step's 100/s", sat.Throughput)
	}
}

func TestRampCapsAtMax(t *testing.T) {
	t.Parallel()
	cfg := SearchConfig{Start: 1000, Max: 2000, Factor: 1.5, Step: time.Second, Refine: 3, MaxErrorRate: 0.01, MaxP99: time.Second / 2}
	var calls []float64
	sat, err := ramp(cfg, "direct", fakeRate(1e9, &calls))
	if err != nil {
		t.Fatal(err)
	}
	if sat.Rate != 2000 || !sat.Capped || len(calls) != 3 || calls[2] != 2000 {
		t.Errorf("rate %g capped %v calls %v, want 1000, 1500, 2000 and capped", sat.Rate, sat.Capped, calls)
	}
}

func TestRampStartAlreadyBroken(t *testing.T) {
	t.Parallel()
	cfg := DefaultSearch()
	var calls []float64
	sat, err := ramp(cfg, "via", fakeRate(10, &calls))
	if err != nil {
		t.Fatal(err)
	}
	if sat.Rate != 0 || len(calls) != 1 {
		t.Errorf("rate %g after %v: want 0 after one step", sat.Rate, calls)
	}
}

func TestRampPassesErrorsOn(t *testing.T) {
	t.Parallel()
	boom := errors.New("boom")
	_, err := ramp(DefaultSearch(), "via", func(float64) (PhaseResult, error) { return PhaseResult{}, boom })
	if !errors.Is(err, boom) {
		t.Errorf("err %v, want boom", err)
	}
}

func TestHolds(t *testing.T) {
	t.Parallel()
	cfg := SearchConfig{MaxErrorRate: 0.01, MaxP50: 5 * time.Millisecond, MaxP99: 50 * time.Millisecond}
	tests := []struct {
		name string
		p    PhaseResult
		want bool
	}{
		{"fine", PhaseResult{OK: 1000, Errors: map[string]int{"timeout": 10}, Latency: Percentiles{P99: 50 * time.Millisecond}}, true},
		{"errors", PhaseResult{OK: 1000, Errors: map[string]int{"timeout": 11}, Latency: Percentiles{P99: time.Millisecond}}, false},
		{"slow", PhaseResult{OK: 1000, Latency: Percentiles{P99: 51 * time.Millisecond}}, false},
		{"slow median", PhaseResult{OK: 1000, Latency: Percentiles{P50: 6 * time.Millisecond, P99: 7 * time.Millisecond}}, false},
		{"nothing answered", PhaseResult{}, false},
	}
	for _, tt := range tests {
		if got, why := cfg.holds(tt.p); got != tt.want || (!got && why == "") {
			t.Errorf("%s: holds = %v (%q), want %v", tt.name, got, why, tt.want)
		}
	}
}

func TestSearchValidates(t *testing.T) {
	t.Parallel()
	bad := []SearchConfig{
		{Start: 0, Max: 10, Factor: 2, Step: time.Second, MaxP99: time.Second},
		{Start: 10, Max: 5, Factor: 2, Step: time.Second, MaxP99: time.Second},
		{Start: 10, Max: 50, Factor: 1, Step: time.Second, MaxP99: time.Second},
		{Start: 10, Max: 50, Factor: 2, Step: 0, MaxP99: time.Second},
		{Start: 10, Max: 50, Factor: 2, Step: time.Second, MaxP99: 0},
		{Start: 10, Max: 50, Factor: 2, Step: time.Second, MaxP99: time.Second, MaxErrorRate: 1},
		{Start: 10, Max: 50, Factor: 2, Step: time.Second, MaxP99: time.Second, MaxP50: -1},
	}
	for _, c := range bad {
		if _, err := Search(context.Background(), nil, c, "x", &countingDoer{}); err == nil {
			t.Errorf("%+v: want an error", c)
		}
	}
}

func TestSearchAgainstADoer(t *testing.T) {
	t.Parallel()
	d := &countingDoer{}
	cfg := SearchConfig{Start: 500, Max: 1000, Factor: 2, Step: 20 * time.Millisecond, Refine: 2,
		MaxErrorRate: 0.01, MaxP99: time.Minute}
	sat, err := Search(context.Background(), nil, cfg, "direct", d)
	if err != nil {
		t.Fatal(err)
	}
	// 500 req/s for 20 ms is 10 requests, 1000 req/s 20 more.
	if !sat.Capped || sat.Rate != 1000 || d.calls.Load() != 30 || d.streams.Load() != 0 {
		t.Errorf("saturation %+v after %d calls", sat, d.calls.Load())
	}
}
