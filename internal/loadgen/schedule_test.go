package loadgen

import (
	"context"
	"sync"
	"testing"
	"time"

	"github.com/flywheel-stack/flywheel/clock"
)

func TestScheduleCountAndSpacing(t *testing.T) {
	t.Parallel()
	tests := []struct {
		rate     float64
		duration time.Duration
		count    int
		step     time.Duration
	}{
		{rate: 1000, duration: time.Second, count: 1000, step: time.Millisecond},
		{rate: 12000, duration: 2 * time.Second, count: 24000, step: 83333 * time.Nanosecond},
		{rate: 3, duration: time.Second, count: 3, step: 333333333 * time.Nanosecond},
		{rate: 0.5, duration: 3 * time.Second, count: 2, step: 2 * time.Second}, // at 0 s and 2 s
		{rate: 1000, duration: 1500 * time.Microsecond, count: 2, step: time.Millisecond},
	}
	for _, tt := range tests {
		s := Schedule{Rate: tt.rate, Duration: tt.duration}
		if got := s.Count(); got != tt.count {
			t.Errorf("%g req/s for %v: Count = %d, want %d", tt.rate, tt.duration, got, tt.count)
		}
		if s.At(0) != 0 {
			t.Errorf("%g req/s: At(0) = %v, want 0", tt.rate, s.At(0))
		}
		for i := 1; i < s.Count(); i++ {
			gap := s.At(i) - s.At(i-1)
			if d := gap - tt.step; d < -time.Nanosecond || d > time.Nanosecond {
				t.Fatalf("%g req/s: gap before %d is %v, want %v", tt.rate, i, gap, tt.step)
			}
		}
		if last := s.At(s.Count() - 1); last >= tt.duration {
			t.Errorf("%g req/s for %v: last arrival at %v is not inside the duration", tt.rate, tt.duration, last)
		}
	}
	// Computed from i, the offsets do not drift: the millionth arrival at
	// 3 req/s is exactly where it should be.
	if got, want := (Schedule{Rate: 3}).At(3_000_000), 1_000_000*time.Second; got != want {
		t.Errorf("At(3e6) at 3 req/s = %v, want %v", got, want)
	}
}

func TestScheduleValidate(t *testing.T) {
	t.Parallel()
	for _, s := range []Schedule{{Rate: 0, Duration: time.Second}, {Rate: -1, Duration: time.Second},
		{Rate: 10, Duration: 0}} {
		if err := s.validate(); err == nil {
			t.Errorf("%+v: validate = nil, want an error", s)
		}
	}
	if err := (Schedule{Rate: 10, Duration: time.Second}).validate(); err != nil {
		t.Errorf("valid schedule: %v", err)
	}
}

// launch is one call pace made.
type launch struct {
	i        int
	due, now time.Time
}

func TestPaceLaunchesEachRequestAtItsDueInstant(t *testing.T) {
	t.Parallel()
	start := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	clk := clock.NewFake(start)
	s := Schedule{Rate: 1000, Duration: 5 * time.Millisecond}
	var (
		mu       sync.Mutex
		launches []launch
	)
	done := make(chan int)
	go func() {
		done <- pace(context.Background(), clk, s, start, func(i int, due time.Time) {
			mu.Lock()
			launches = append(launches, launch{i, due, clk.Now()})
			mu.Unlock()
		})
	}()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	for step := 1; step < s.Count(); step++ {
		if err := clk.WaitForTimers(ctx, 1); err != nil {
			t.Fatal(err)
		}
		mu.Lock()
		if len(launches) != step {
			t.Fatalf("before %v: %d launches, want %d", s.At(step), len(launches), step)
		}
		mu.Unlock()
		clk.Advance(time.Millisecond)
	}
	if n := <-done; n != 5 {
		t.Fatalf("pace launched %d, want 5", n)
	}
	for i, l := range launches {
		want := start.Add(time.Duration(i) * time.Millisecond)
		if l.i != i || !l.due.Equal(want) || !l.now.Equal(want) {
			t.Errorf("launch %d = %+v, want i %d due and launched at %v", i, l, i, want)
		}
	}
}

func TestPaceCatchesUpWithTheOriginalDueInstants(t *testing.T) {
	t.Parallel()
	start := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	clk := clock.NewFake(start)
	s := Schedule{Rate: 1000, Duration: 10 * time.Millisecond}
	var launches []launch
	done := make(chan int)
	go func() {
		done <- pace(context.Background(), clk, s, start, func(i int, due time.Time) {
			launches = append(launches, launch{i, due, clk.Now()})
		})
	}()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	if err := clk.WaitForTimers(ctx, 1); err != nil {
		t.Fatal(err)
	}
	// The machine stalls for 9.5 ms: every overdue request goes at once,
	// each keeping its own due instant so the stall shows in latencies.
	clk.Advance(9500 * time.Microsecond)
	if n := <-done; n != 10 {
		t.Fatalf("pace launched %d, want 10", n)
	}
	for i, l := range launches[1:] {
		want := start.Add(time.Duration(i+1) * time.Millisecond)
		if !l.due.Equal(want) || !l.now.Equal(start.Add(9500*time.Microsecond)) {
			t.Errorf("launch %d: due %v launched %v, want due %v launched at the stall's end", i+1, l.due, l.now, want)
		}
	}
}

func TestPaceStopsWhenTheContextEnds(t *testing.T) {
	t.Parallel()
	start := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	clk := clock.NewFake(start)
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan int)
	go func() {
		done <- pace(ctx, clk, Schedule{Rate: 10, Duration: time.Minute}, start, func(int, time.Time) {})
	}()
	wctx, wcancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer wcancel()
	if err := clk.WaitForTimers(wctx, 1); err != nil {
		t.Fatal(err)
	}
	cancel()
	if n := <-done; n != 1 {
		t.Errorf("pace launched %d after cancel, want only the first", n)
	}
	if clk.PendingTimers() != 0 {
		t.Errorf("pace left %d timers behind", clk.PendingTimers())
	}
}
