package resilience_test

import (
	"context"
	"errors"
	"net"
	"sync/atomic"
	"testing"
	"time"

	"github.com/flywheel-stack/flywheel/clock"
	"github.com/flywheel-stack/flywheel/resilience"
)

// runAsync runs fn in a goroutine and returns a channel with its error.
func runAsync(fn func() error) <-chan error {
	ch := make(chan error, 1)
	go func() { ch <- fn() }()
	return ch
}

// driveUntilDone runs fn and fires every timer it waits on until it returns.
func driveUntilDone(t *testing.T, clk *clock.Fake, fn func()) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	done := make(chan struct{})
	waitCtx, stopWaiting := context.WithCancel(ctx)
	go func() { fn(); close(done); stopWaiting() }()
	for {
		if err := clk.WaitForTimers(waitCtx, 1); err != nil {
			select {
			case <-done:
				return
			default:
				t.Fatalf("fn neither returned nor waited: %v", err)
			}
		}
		clk.Advance(clk.NextTimerIn())
	}
}

// advanceThrough waits for the code under test to wait on a timer (besides
// `others` timers already pending), then fires it, once per delay, checking
// that it does not fire early.
func advanceThrough(t *testing.T, clk *clock.Fake, others int, delays []time.Duration) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	for i, d := range delays {
		if err := clk.WaitForTimers(ctx, others+1); err != nil {
			t.Fatalf("delay %d: the retrier never waited: %v", i, err)
		}
		clk.Advance(d - time.Nanosecond)
		if clk.PendingTimers() != others+1 {
			t.Fatalf("delay %d fired before %s", i, d)
		}
		clk.Advance(time.Nanosecond)
	}
}

func TestRetryBackoffSchedule(t *testing.T) {
	t.Parallel()
	clk := clock.NewFake(t0)
	r := resilience.NewRetrier(resilience.RetryConfig{MaxAttempts: 5, BaseDelay: 100 * time.Millisecond,
		MaxDelay: 300 * time.Millisecond, Jitter: resilience.JitterNone, Clock: clk})
	var calls atomic.Int32
	done := runAsync(func() error {
		return r.Do(context.Background(), func(context.Context) error { calls.Add(1); return errBoom })
	})
	advanceThrough(t, clk, 0, []time.Duration{100 * time.Millisecond, 200 * time.Millisecond, 300 * time.Millisecond, 300 * time.Millisecond})
	if err := <-done; !errors.Is(err, errBoom) {
		t.Fatalf("err = %v, want the last error", err)
	}
	if calls.Load() != 5 {
		t.Fatalf("calls = %d, want 5", calls.Load())
	}
	if s := r.Stats(); s.Retries != 4 || s.GaveUp != 1 || s.Calls != 1 {
		t.Fatalf("stats %+v", s)
	}
}

func TestRetryJitterBounds(t *testing.T) {
	t.Parallel()
	base, maxd := 100*time.Millisecond, 10*time.Second
	tests := []struct {
		jitter   resilience.Jitter
		n        int
		prev     time.Duration
		rnd      float64
		min, max time.Duration
	}{
		{resilience.JitterFull, 3, 0, 0, 0, 0},
		{resilience.JitterFull, 3, 0, 0.5, 200 * time.Millisecond, 200 * time.Millisecond},
		{resilience.JitterEqual, 3, 0, 0, 200 * time.Millisecond, 200 * time.Millisecond},
		{resilience.JitterEqual, 3, 0, 0.999, 390 * time.Millisecond, 400 * time.Millisecond},
		{resilience.JitterDecorrelated, 2, time.Second, 0, base, base},
		{resilience.JitterDecorrelated, 2, time.Second, 0.999, 2900 * time.Millisecond, 3 * time.Second},
		{resilience.JitterDecorrelated, 2, time.Hour, 0.999, maxd, maxd},
		{resilience.JitterNone, 40, 0, 0.3, maxd, maxd},
	}
	for _, tc := range tests {
		r := resilience.NewRetrier(resilience.RetryConfig{BaseDelay: base, MaxDelay: maxd, Jitter: tc.jitter,
			Rand: func() float64 { return tc.rnd }})
		if got := r.Backoff(tc.n, tc.prev); got < tc.min || got > tc.max {
			t.Errorf("%s n=%d prev=%s rand=%g: %s, want in [%s, %s]", tc.jitter, tc.n, tc.prev, tc.rnd, got, tc.min, tc.max)
		}
	}
}

func TestRetryStops(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name string
		cfg  resilience.RetryConfig
		err  error
		ctx  func() (context.Context, context.CancelFunc)
	}{
		{"permanent error", resilience.RetryConfig{}, resilience.Permanent(errBoom), nil},
		{"predicate says no", resilience.RetryConfig{RetryIf: func(error) bool { return false }}, errBoom, nil},
		{"external api does not retry a 400", resilience.ExternalAPI(), &resilience.StatusError{Code: 400, Status: "400 Bad Request"}, nil},
		{"llm inference does not retry after the first byte", resilience.LLMInference(), resilience.AfterFirstByte(errBoom), nil},
		{"caller context done", resilience.RetryConfig{}, errBoom, func() (context.Context, context.CancelFunc) {
			ctx, cancel := context.WithCancel(context.Background())
			cancel()
			return ctx, cancel
		}},
		{"delay would pass the deadline", resilience.RetryConfig{BaseDelay: time.Hour, Jitter: resilience.JitterNone}, errBoom,
			func() (context.Context, context.CancelFunc) {
				return context.WithDeadline(context.Background(), time.Now().Add(time.Minute))
			}},
		{"max elapsed", resilience.RetryConfig{BaseDelay: 2 * time.Second, Jitter: resilience.JitterNone, MaxElapsed: time.Second}, errBoom, nil},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			ctx := context.Background()
			if tc.ctx != nil {
				var cancel context.CancelFunc
				ctx, cancel = tc.ctx()
				defer cancel()
			}
			if tc.ctx == nil { // context deadlines are real time: those cases keep the real clock
				tc.cfg.Clock = clock.NewFake(t0)
			}
			r := resilience.NewRetrier(tc.cfg)
			calls := 0
			err := r.Do(ctx, func(context.Context) error { calls++; return tc.err })
			if calls != 1 || !errors.Is(err, errors.Unwrap(tc.err)) && !errors.Is(err, tc.err) {
				t.Fatalf("calls = %d, err = %v; want one call and the error back", calls, err)
			}
		})
	}
}

func TestRetryHonoursRetryAfter(t *testing.T) {
	t.Parallel()
	clk := clock.NewFake(t0)
	b := resilience.NewBreaker(resilience.BreakerConfig{Clock: clk})
	cfg := resilience.ExternalAPI()
	cfg.Clock = clk
	cfg.Jitter = resilience.JitterNone
	p := resilience.NewPipeline[string](resilience.PipelineConfig[string]{Breaker: b, Retry: resilience.NewRetrier(cfg)})
	calls := 0
	done := make(chan resilience.Result[string], 1)
	go func() {
		done <- p.Run(context.Background(), func(context.Context) (string, error) {
			calls++
			if calls == 1 {
				return "", &resilience.StatusError{Code: 429, Status: "429 Too Many Requests", Until: t0.Add(7 * time.Second)}
			}
			return "ok", nil
		})
	}()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	if err := clk.WaitForTimers(ctx, 2); err != nil {
		t.Fatal(err)
	}
	// The breaker is held open until the Retry-After instant ...
	if s := b.Snapshot(); s.State != resilience.StateOpen || !s.OpenUntil.Equal(t0.Add(7*time.Second)) {
		t.Fatalf("breaker not held open: %+v", s)
	}
	// ... and the retry waits for it rather than the 1 s backoff.
	clk.Advance(time.Second)
	if clk.PendingTimers() != 2 { // the breaker's reopen timer and the retry's delay
		t.Fatal("retried at the backoff delay instead of Retry-After")
	}
	clk.Advance(6 * time.Second)
	r := <-done
	if r.Err != nil || r.Value != "ok" || r.Attempts != 2 {
		t.Fatalf("result %+v", r)
	}
}

func TestRetryAfterBreakerRejection(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name      string
		openFor   time.Duration
		wantCalls int
	}{
		{"open-until inside the remaining time: waits and retries", 2 * time.Second, 2},
		{"open-until past max delay: stops", time.Hour, 1},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			clk := clock.NewFake(t0)
			b := resilience.NewBreaker(resilience.BreakerConfig{ConsecutiveFailures: 1, OpenFor: tc.openFor, Clock: clk})
			_ = b.Do(context.Background(), func(context.Context) error { return errBoom })
			r := resilience.NewRetrier(resilience.RetryConfig{MaxAttempts: 3, BaseDelay: 10 * time.Millisecond,
				MaxDelay: 5 * time.Second, Jitter: resilience.JitterNone, Clock: clk})
			p := resilience.NewPipeline[int](resilience.PipelineConfig[int]{Breaker: b, Retry: r})
			calls := 0
			done := make(chan resilience.Result[int], 1)
			go func() {
				done <- p.Run(context.Background(), func(context.Context) (int, error) { calls++; return 1, nil })
			}()
			if tc.wantCalls > 1 {
				advanceThrough(t, clk, 1, []time.Duration{tc.openFor})
			}
			res := <-done
			if calls != tc.wantCalls-1 && calls != tc.wantCalls {
				t.Fatalf("calls = %d", calls)
			}
			if tc.wantCalls == 1 && (!errors.Is(res.Err, resilience.ErrOpen) || calls != 0) {
				t.Fatalf("result %+v calls %d, want the rejection and no call", res, calls)
			}
			if tc.wantCalls == 2 && (res.Err != nil || res.Attempts != 2 || calls != 1) {
				t.Fatalf("result %+v calls %d, want success on attempt 2", res, calls)
			}
		})
	}
}

func TestRetryForcedOpenNotRetried(t *testing.T) {
	t.Parallel()
	clk := clock.NewFake(t0)
	b := resilience.NewBreaker(resilience.BreakerConfig{Clock: clk})
	b.ForceOpen("maintenance")
	p := resilience.NewPipeline[int](resilience.PipelineConfig[int]{Breaker: b,
		Retry: resilience.NewRetrier(resilience.RetryConfig{MaxAttempts: 5, Clock: clk})})
	r := p.Run(context.Background(), func(context.Context) (int, error) { return 1, nil })
	if r.Attempts != 1 || !errors.Is(r.Err, resilience.ErrOpen) {
		t.Fatalf("result %+v, want one rejected attempt", r)
	}
}

func TestRetryBudget(t *testing.T) {
	t.Parallel()
	clk := clock.NewFake(t0)
	budget := resilience.NewBudget(resilience.BudgetConfig{Ratio: 0.2, MinRetries: 1, Window: 10 * time.Second, Clock: clk})
	r := resilience.NewRetrier(resilience.RetryConfig{MaxAttempts: 2, BaseDelay: time.Nanosecond, Jitter: resilience.JitterNone,
		Budget: budget, Clock: clk})
	var calls atomic.Int32
	ok := func(context.Context) error { calls.Add(1); return nil }
	for range 9 { // 9 calls that need no retry: 1.8 retries allowed at 10 calls
		_ = r.Do(context.Background(), ok)
	}
	fail := func(context.Context) error { calls.Add(1); return errBoom }
	var retried int
	for range 5 {
		before := calls.Load()
		driveUntilDone(t, clk, func() { _ = r.Do(context.Background(), fail) })
		if calls.Load()-before == 2 {
			retried++
		}
	}
	// 14 calls in the window allow max(1, 2.8) = 2 retries.
	if retried != 2 || budget.Exhausted() != 3 || r.Stats().BudgetExhausted != 3 {
		t.Fatalf("retried %d, exhausted %d/%d; want 2 retries then 3 refusals", retried, budget.Exhausted(), r.Stats().BudgetExhausted)
	}
	clk.Advance(11 * time.Second)
	if c, rt := budget.Usage(); c != 0 || rt != 0 {
		t.Fatalf("window did not slide: calls %d retries %d", c, rt)
	}
}

func TestPresets(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name     string
		attempts int
		base     time.Duration
		max      time.Duration
	}{
		{"database", 5, 500 * time.Millisecond, 30 * time.Second},
		{"external_api", 3, time.Second, time.Minute},
		{"internal_service", 3, 500 * time.Millisecond, 10 * time.Second},
		{"vector_db", 3, time.Second, 30 * time.Second},
		{"llm_inference", 2, time.Second, 10 * time.Second},
	}
	for _, tc := range tests {
		c, err := resilience.Preset(tc.name)
		if err != nil || c.MaxAttempts != tc.attempts || c.BaseDelay != tc.base || c.MaxDelay != tc.max {
			t.Errorf("%s = %+v, %v", tc.name, c, err)
		}
	}
	if _, err := resilience.Preset("nope"); err == nil {
		t.Error("unknown preset accepted")
	}
	ext := resilience.ExternalAPI().RetryIf
	for code, want := range map[int]bool{429: true, 502: true, 503: true, 504: true, 500: false, 501: false, 404: false} {
		if got := ext(&resilience.StatusError{Code: code}); got != want {
			t.Errorf("external_api retries %d: %v, want %v", code, got, want)
		}
	}
	if !ext(context.DeadlineExceeded) || ext(context.Canceled) {
		t.Error("external_api should retry timeouts and not cancellations")
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := ln.Addr().String()
	_ = ln.Close()
	if _, derr := net.Dial("tcp", addr); derr == nil || !ext(derr) {
		t.Errorf("external_api should retry a refused connection: %v", derr)
	}
	if ext(errors.New("invalid request")) {
		t.Error("external_api retries an error that is neither a connection error, a timeout nor a retryable status")
	}
}
