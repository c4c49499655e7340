package loadgen

import (
	"context"
	"errors"
	"sync/atomic"
	"testing"
	"time"

	"github.com/flywheel-stack/flywheel/clock"
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

func TestMaxInFlight(t *testing.T) {
	t.Parallel()
	c := SearchConfig{MaxP99: 200 * time.Millisecond}
	if got := c.maxInFlight(10000); got != 2000 {
		t.Errorf("maxInFlight(10000) = %d, want 2000 (rate × p99 bound)", got)
	}
	if got := c.maxInFlight(100); got != 256 {
		t.Errorf("maxInFlight(100) = %d, want the floor 256", got)
	}
}

// stuckDoer never answers until released.
type stuckDoer struct {
	calls   atomic.Int64
	release chan struct{}
}

func (d *stuckDoer) Do(ctx context.Context, _ bool) Result {
	d.calls.Add(1)
	select {
	case <-d.release:
	case <-ctx.Done():
	}
	now := time.Now()
	return Result{Sent: now, FirstChunk: now, Done: now, Status: 200}
}

func TestInFlightBoundStopsSending(t *testing.T) {
	t.Parallel()
	start := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	clk := clock.NewFake(start)
	d := &stuckDoer{release: make(chan struct{})}
	// Eleven arrivals, 1 ms apart; the run is stopped once ten have come.
	s := Schedule{Rate: 1000, Duration: 11 * time.Millisecond}
	runCtx, stop := context.WithCancel(context.Background())
	done := make(chan []PhaseResult)
	go func() {
		ps, err := interleaved(runCtx, clk, s, 0, 3, []string{"via"}, []Doer{d})
		if err != nil {
			t.Error(err)
		}
		done <- ps
	}()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	for range 9 {
		if err := clk.WaitForTimers(ctx, 1); err != nil {
			t.Fatal(err)
		}
		clk.Advance(time.Millisecond)
	}
	if err := clk.WaitForTimers(ctx, 1); err != nil { // the tenth has been handled
		t.Fatal(err)
	}
	stop()
	p := (<-done)[0]
	// Three went out and hung; the seven arrivals after them were not sent.
	if d.calls.Load() != 3 || p.Errors[ClassOverload] != 7 || p.Sent != 10 {
		t.Errorf("calls %d errors %v sent %d; want 3 sent, 7 refused as overload", d.calls.Load(), p.Errors, p.Sent)
	}
}
