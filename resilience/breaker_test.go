package resilience_test

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/flywheel-stack/flywheel/clock"
	"github.com/flywheel-stack/flywheel/resilience"
)

var (
	t0      = time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	errBoom = errors.New("boom")
)

// outcome letters: s success, f failure, i ignored, S slow success, F slow failure.
func feed(t *testing.T, b *resilience.Breaker, clk *clock.Fake, pattern string, slow time.Duration) {
	t.Helper()
	for _, c := range pattern {
		p, err := b.Allow()
		if err != nil {
			t.Fatalf("pattern %q: Allow at %q: %v", pattern, c, err)
		}
		d := time.Millisecond
		if c == 'S' || c == 'F' {
			d = slow
		}
		switch c {
		case 's', 'S':
			p.RecordOutcome(resilience.OutcomeSuccess, d)
		case 'f', 'F':
			p.RecordOutcome(resilience.OutcomeFailure, d)
		case 'i':
			p.RecordOutcome(resilience.OutcomeIgnored, d)
		}
		if clk != nil {
			clk.Advance(time.Millisecond)
		}
	}
}

func TestBreakerTripRules(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name    string
		cfg     resilience.BreakerConfig
		pattern string
		want    resilience.State
	}{
		{"consecutive below threshold", resilience.BreakerConfig{ConsecutiveFailures: 3}, "ffsff", resilience.StateClosed},
		{"consecutive at threshold", resilience.BreakerConfig{ConsecutiveFailures: 3}, "sfff", resilience.StateOpen},
		{"ignored does not break a run", resilience.BreakerConfig{ConsecutiveFailures: 3}, "ffif", resilience.StateOpen},
		{"default rule is five in a row", resilience.BreakerConfig{}, "fffff", resilience.StateOpen},
		{"default rule four in a row", resilience.BreakerConfig{}, "ffff", resilience.StateClosed},
		{"rate below min calls", resilience.BreakerConfig{FailureRate: 0.5, MinCalls: 6}, "fffff", resilience.StateClosed},
		{"rate reached at min calls", resilience.BreakerConfig{FailureRate: 0.5, MinCalls: 6}, "sssfff", resilience.StateOpen},
		{"rate under threshold", resilience.BreakerConfig{FailureRate: 0.5, MinCalls: 6}, "ssssfsf", resilience.StateClosed},
		{"count window slides over old successes", resilience.BreakerConfig{FailureRate: 0.5, MinCalls: 4, WindowSize: 4},
			"sssssssff", resilience.StateOpen},
		{"count window below rate", resilience.BreakerConfig{FailureRate: 0.5, MinCalls: 4, WindowSize: 4},
			"ssssssssf", resilience.StateClosed},
		{"count window evicts old failures", resilience.BreakerConfig{FailureRate: 0.75, MinCalls: 4, WindowSize: 4},
			"ffsssfsff", resilience.StateOpen},
		{"success that reaches min calls trips", resilience.BreakerConfig{FailureRate: 0.5, MinCalls: 4},
			"ffss", resilience.StateOpen},
		{"success that reaches min calls in a time window trips", resilience.BreakerConfig{FailureRate: 0.5, MinCalls: 4,
			Window: resilience.TimeWindow}, "ffss", resilience.StateOpen},
		{"slow rate trips on slow successes", resilience.BreakerConfig{SlowCallRate: 0.5, SlowCall: 100 * time.Millisecond, MinCalls: 4},
			"ssSS", resilience.StateOpen},
		{"slow rate below threshold", resilience.BreakerConfig{SlowCallRate: 0.75, SlowCall: 100 * time.Millisecond, MinCalls: 4},
			"ssSS", resilience.StateClosed},
		{"time window rate", resilience.BreakerConfig{FailureRate: 0.5, MinCalls: 4, Window: resilience.TimeWindow,
			WindowDuration: time.Minute}, "ssff", resilience.StateOpen},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			clk := clock.NewFake(t0)
			tc.cfg.Clock = clk
			b := resilience.NewBreaker(tc.cfg)
			defer func() {
				if r := recover(); r != nil {
					t.Fatalf("panic: %v", r)
				}
			}()
			for i, c := range tc.pattern {
				if b.State() == resilience.StateOpen {
					t.Fatalf("opened early, after %d calls of %q", i, tc.pattern)
				}
				feed(t, b, clk, string(c), 200*time.Millisecond)
			}
			if got := b.State(); got != tc.want {
				t.Fatalf("state after %q = %s, want %s", tc.pattern, got, tc.want)
			}
		})
	}
}

func TestBreakerTimeWindowAgesOut(t *testing.T) {
	t.Parallel()
	clk := clock.NewFake(t0)
	b := resilience.NewBreaker(resilience.BreakerConfig{FailureRate: 0.5, MinCalls: 4, Window: resilience.TimeWindow,
		WindowDuration: 10 * time.Second, WindowBuckets: 10, Clock: clk})
	feed(t, b, nil, "fff", 0)
	clk.Advance(11 * time.Second) // the three failures leave the window
	feed(t, b, nil, "sssf", 0)
	if s := b.Snapshot(); s.State != resilience.StateClosed || s.Counts.Calls != 4 || s.Counts.Failures != 1 {
		t.Fatalf("after aging out: state %s counts %+v, want closed with 4 calls, 1 failure", s.State, s.Counts)
	}
	feed(t, b, nil, "f", 0) // 2 of 5
	feed(t, b, nil, "f", 0) // 3 of 6
	if got := b.State(); got != resilience.StateOpen {
		t.Fatalf("state = %s, want open at 3 failures of 6", got)
	}
}

func TestBreakerOpenHalfOpenClose(t *testing.T) {
	t.Parallel()
	clk := clock.NewFake(t0)
	b := resilience.NewBreaker(resilience.BreakerConfig{Name: "llama/qwen", ConsecutiveFailures: 1, OpenFor: 10 * time.Second,
		HalfOpenCalls: 2, SuccessThreshold: 2, Clock: clk})
	feed(t, b, nil, "f", 0)

	_, err := b.Allow()
	var rej *resilience.RejectedError
	if !errors.As(err, &rej) || !errors.Is(err, resilience.ErrOpen) {
		t.Fatalf("Allow while open: %v, want a RejectedError matching ErrOpen", err)
	}
	if want := t0.Add(10 * time.Second); !rej.Until.Equal(want) || rej.Breaker != "llama/qwen" {
		t.Fatalf("rejection = %+v, want until %s from llama/qwen", rej, want)
	}

	clk.Advance(10 * time.Second)
	if got := b.State(); got != resilience.StateHalfOpen {
		t.Fatalf("state after open_for = %s, want half_open", got)
	}
	p1, err1 := b.Allow()
	p2, err2 := b.Allow()
	_, err3 := b.Allow()
	if err1 != nil || err2 != nil {
		t.Fatalf("trial permits: %v, %v", err1, err2)
	}
	if !errors.Is(err3, resilience.ErrTooManyCalls) || errors.Is(err3, resilience.ErrOpen) {
		t.Fatalf("third trial: %v, want ErrTooManyCalls and not ErrOpen", err3)
	}
	if at, ok := resilience.RetryAtOf(err3); !ok || !at.After(clk.Now()) {
		t.Fatalf("too-many-calls carries retry instant %v, %v; want a future instant", at, ok)
	}
	p1.RecordOutcome(resilience.OutcomeSuccess, time.Millisecond)
	if got := b.State(); got != resilience.StateHalfOpen {
		t.Fatalf("after one of two successes: %s, want half_open", got)
	}
	p2.RecordOutcome(resilience.OutcomeSuccess, time.Millisecond)
	if got := b.State(); got != resilience.StateClosed {
		t.Fatalf("after two successes: %s, want closed", got)
	}
	if s := b.Snapshot(); s.InFlightTrials != 0 {
		t.Fatalf("trial permits leaked: %d", s.InFlightTrials)
	}
}

func TestBreakerReopenBackoff(t *testing.T) {
	t.Parallel()
	clk := clock.NewFake(t0)
	b := resilience.NewBreaker(resilience.BreakerConfig{ConsecutiveFailures: 1, OpenFor: time.Second, OpenBackoff: 2,
		MaxOpenFor: 5 * time.Second, Clock: clk})
	feed(t, b, nil, "f", 0)
	wantOpen := []time.Duration{time.Second, 2 * time.Second, 4 * time.Second, 5 * time.Second, 5 * time.Second}
	for i, want := range wantOpen {
		s := b.Snapshot()
		if got := s.OpenUntil.Sub(clk.Now()); s.State != resilience.StateOpen || got != want {
			t.Fatalf("reopen %d: state %s open for %s, want open for %s", i, s.State, got, want)
		}
		clk.Advance(want)
		feed(t, b, nil, "f", 0) // the trial fails
	}
	clk.Advance(5 * time.Second)
	feed(t, b, nil, "s", 0) // closes
	feed(t, b, nil, "f", 0)
	if got := b.Snapshot().OpenUntil.Sub(clk.Now()); got != time.Second {
		t.Fatalf("open_for after a close = %s, want it back at 1s", got)
	}
}

func TestBreakerStalePermitIgnored(t *testing.T) {
	t.Parallel()
	clk := clock.NewFake(t0)
	b := resilience.NewBreaker(resilience.BreakerConfig{ConsecutiveFailures: 2, Clock: clk})
	stale, _ := b.Allow()
	feed(t, b, nil, "ff", 0)
	b.Reset("operator")
	stale.RecordOutcome(resilience.OutcomeFailure, time.Millisecond)
	feed(t, b, nil, "f", 0)
	if s := b.Snapshot(); s.State != resilience.StateClosed || s.Counts.ConsecutiveFailures != 1 {
		t.Fatalf("stale failure counted: state %s, consecutive failures %d; want closed with 1", s.State, s.Counts.ConsecutiveFailures)
	}
}

func TestBreakerContextClassification(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name string
		ctx  func() context.Context
		err  error
		want string
	}{
		{"caller cancelled", func() context.Context {
			ctx, cancel := context.WithCancel(context.Background())
			cancel()
			return ctx
		}, context.Canceled, "ignored"},
		{"deadline inside the call", context.Background, context.DeadlineExceeded, "failure"},
		{"attempt timeout", context.Background, resilience.ErrAttemptTimeout, "failure"},
		{"plain error", context.Background, errBoom, "failure"},
		{"marked ignored", context.Background, resilience.Ignore(errBoom), "ignored"},
		{"nil", context.Background, nil, "success"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			b := resilience.NewBreaker(resilience.BreakerConfig{Clock: clock.NewFake(t0)})
			p, _ := b.Allow()
			p.Record(tc.ctx(), tc.err)
			tot := b.Snapshot().Totals
			got := map[string]uint64{"success": tot.Successes, "failure": tot.Failures, "ignored": tot.Ignored}
			if got[tc.want] != 1 || tot.Successes+tot.Failures+tot.Ignored != 1 {
				t.Fatalf("totals %+v, want one %s", tot, tc.want)
			}
		})
	}
}

func TestBreakerListener(t *testing.T) {
	t.Parallel()
	clk := clock.NewFake(t0)
	var got []resilience.Transition
	b := resilience.NewBreaker(resilience.BreakerConfig{Name: "db", FailureRate: 0.5, MinCalls: 4, OpenFor: time.Second,
		Clock: clk, OnStateChange: func(tr resilience.Transition) { got = append(got, tr) }})
	feed(t, b, nil, "sfsf", 0)
	clk.Advance(time.Second)
	feed(t, b, nil, "s", 0)
	if len(got) != 3 {
		t.Fatalf("got %d transitions, want 3: %+v", len(got), got)
	}
	open := got[0]
	if open.From != resilience.StateClosed || open.To != resilience.StateOpen || open.Breaker != "db" ||
		open.Counts.Calls != 4 || open.Counts.Failures != 2 || !strings.Contains(open.Reason, "failure rate") ||
		!open.OpenUntil.Equal(t0.Add(time.Second)) {
		t.Fatalf("open transition = %+v", open)
	}
	if got[1].From != resilience.StateOpen || got[1].To != resilience.StateHalfOpen {
		t.Fatalf("second transition = %+v, want open -> half_open", got[1])
	}
	if got[2].To != resilience.StateClosed || got[2].Counts.ConsecutiveSuccesses != 1 {
		t.Fatalf("third transition = %+v, want half_open -> closed with 1 success", got[2])
	}
	if tr := b.Snapshot().Totals.Transitions; tr[resilience.StateOpen] != 1 || tr[resilience.StateClosed] != 1 {
		t.Fatalf("transition totals %v", tr)
	}
}

func TestBreakerOperatorStates(t *testing.T) {
	t.Parallel()
	clk := clock.NewFake(t0)
	b := resilience.NewBreaker(resilience.BreakerConfig{ConsecutiveFailures: 1, Clock: clk})

	b.ForceOpen("maintenance")
	clk.Advance(time.Hour)
	if _, err := b.Allow(); !errors.Is(err, resilience.ErrOpen) {
		t.Fatalf("forced open admitted a call: %v", err)
	}
	if _, ok := resilience.RetryAtOf(func() error { _, err := b.Allow(); return err }()); ok {
		t.Fatal("forced open should carry no retry instant")
	}
	b.HoldOpenUntil(clk.Now().Add(time.Minute), "retry-after")
	if got := b.State(); got != resilience.StateForcedOpen {
		t.Fatalf("HoldOpenUntil overrode forced open: %s", got)
	}

	b.Disable("debugging")
	feed(t, b, nil, "fffff", 0)
	if got := b.State(); got != resilience.StateDisabled {
		t.Fatalf("disabled breaker changed state: %s", got)
	}
	b.Reset("done")
	feed(t, b, nil, "f", 0)
	if got := b.State(); got != resilience.StateOpen {
		t.Fatalf("after reset one failure should open: %s", got)
	}
}

func TestBreakerHoldOpenUntil(t *testing.T) {
	t.Parallel()
	clk := clock.NewFake(t0)
	b := resilience.NewBreaker(resilience.BreakerConfig{OpenFor: time.Second, Clock: clk})
	until := t0.Add(42 * time.Second)
	b.HoldOpenUntil(until, "429 with Retry-After")
	_, err := b.Allow()
	if at, ok := resilience.RetryAtOf(err); !ok || !at.Equal(until) {
		t.Fatalf("rejection carries %v %v, want %v", at, ok, until)
	}
	b.HoldOpenUntil(t0.Add(time.Second), "earlier") // never shortens
	if got := b.Snapshot().OpenUntil; !got.Equal(until) {
		t.Fatalf("open until moved to %v", got)
	}
	clk.Set(until)
	if _, err := b.Allow(); err != nil {
		t.Fatalf("trial after hold: %v", err)
	}
}

func TestBreakerExecute(t *testing.T) {
	t.Parallel()
	b := resilience.NewBreaker(resilience.BreakerConfig{ConsecutiveFailures: 2, Clock: clock.NewFake(t0)})
	ctx := context.Background()
	v, err := resilience.Execute(ctx, b, func(context.Context) (int, error) { return 7, nil })
	if v != 7 || err != nil {
		t.Fatalf("Execute = %d, %v", v, err)
	}
	for range 2 {
		_ = b.Do(ctx, func(context.Context) error { return errBoom })
	}
	called := false
	v, err = resilience.Execute(ctx, b, func(context.Context) (int, error) { called = true; return 1, nil })
	if called || v != 0 || !errors.Is(err, resilience.ErrOpen) {
		t.Fatalf("Execute while open: called=%v v=%d err=%v", called, v, err)
	}
}

func TestBreakerPanicReleasesTrial(t *testing.T) {
	t.Parallel()
	clk := clock.NewFake(t0)
	b := resilience.NewBreaker(resilience.BreakerConfig{ConsecutiveFailures: 1, OpenFor: time.Second, Clock: clk})
	_ = b.Do(context.Background(), func(context.Context) error { return errBoom })
	clk.Advance(time.Second)
	func() {
		defer func() { _ = recover() }()
		_ = b.Do(context.Background(), func(context.Context) error { panic("bug") })
	}()
	s := b.Snapshot()
	if s.InFlightTrials != 0 || s.State != resilience.StateOpen || s.Totals.Failures != 2 {
		t.Fatalf("after a panicking trial: %+v, want open, no trial held, 2 failures", s)
	}
}

func TestBreakerValidate(t *testing.T) {
	t.Parallel()
	tests := []struct {
		cfg  resilience.BreakerConfig
		want string
	}{
		{resilience.BreakerConfig{FailureRate: 1.5}, "FailureRate: must be in (0,1], got 1.5"},
		{resilience.BreakerConfig{SlowCallRate: 0.5}, "SlowCall: must be > 0 when SlowCallRate is set"},
		{resilience.BreakerConfig{OpenFor: time.Minute, MaxOpenFor: time.Second}, "MaxOpenFor: must be >= OpenFor (1m0s), got 1s"},
		{resilience.BreakerConfig{OpenBackoff: 0.5}, "OpenBackoff"},
	}
	for _, tc := range tests {
		if err := tc.cfg.Validate(); err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("Validate(%+v) = %v, want %q", tc.cfg, err, tc.want)
		}
	}
	if err := (resilience.BreakerConfig{FailureRate: 0.5, SlowCallRate: 0.8, SlowCall: time.Second}).Validate(); err != nil {
		t.Errorf("valid config rejected: %v", err)
	}
}

// TestBreakerConcurrentCountsAddUp hammers one breaker from many goroutines
// while the clock moves it through every state, then checks that every call
// was counted exactly once and no trial permit leaked.
func TestBreakerConcurrentCountsAddUp(t *testing.T) {
	t.Parallel()
	clk := clock.NewFake(t0)
	b := resilience.NewBreaker(resilience.BreakerConfig{FailureRate: 0.3, ConsecutiveFailures: 8, MinCalls: 20,
		WindowSize: 50, OpenFor: time.Millisecond, HalfOpenCalls: 3, SuccessThreshold: 2, Clock: clk})
	const workers, perWorker = 16, 2000
	var wg sync.WaitGroup
	stop := make(chan struct{})
	go func() { // moves the clock so that open breakers go half-open
		for {
			select {
			case <-stop:
				return
			default:
				clk.Advance(time.Millisecond)
			}
		}
	}()
	ctx := context.Background()
	for w := range workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range perWorker {
				var err error
				switch (w + i) % 7 {
				case 0, 3:
					err = errBoom
				case 5:
					err = resilience.Ignore(errBoom)
				}
				_ = b.Do(ctx, func(context.Context) error { return err })
			}
		}()
	}
	wg.Wait()
	close(stop)
	s := b.Snapshot()
	tot := s.Totals
	if sum := tot.Successes + tot.Failures + tot.Ignored + tot.Rejected; sum != workers*perWorker {
		t.Fatalf("outcomes add up to %d, want %d: %+v", sum, workers*perWorker, tot)
	}
	if s.InFlightTrials != 0 {
		t.Fatalf("%d trial permits leaked", s.InFlightTrials)
	}
	if tot.Transitions[resilience.StateOpen] == 0 || tot.Rejected == 0 {
		t.Fatalf("the hammer never opened the breaker: %+v", tot)
	}
	t.Log(fmt.Sprintf("totals %+v", tot))
}
