package resilience_test

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/flywheel-stack/flywheel/clock"
	"github.com/flywheel-stack/flywheel/resilience"
)

func TestHoldOpenUntilCappedByMaxOpenFor(t *testing.T) {
	t.Parallel()
	yearAhead := 365 * 24 * time.Hour
	tests := []struct {
		name string
		cfg  resilience.BreakerConfig
		hold time.Duration
		want time.Duration
	}{
		{"default cap", resilience.BreakerConfig{}, yearAhead, resilience.DefaultMaxOpenFor},
		{"within the default cap", resilience.BreakerConfig{}, time.Minute, time.Minute},
		{"configured cap", resilience.BreakerConfig{MaxOpenFor: time.Minute}, yearAhead, time.Minute},
		{"open_for longer than the default cap", resilience.BreakerConfig{OpenFor: time.Hour}, yearAhead, time.Hour},
		{"open backoff's default cap", resilience.BreakerConfig{OpenFor: time.Second, OpenBackoff: 2}, yearAhead, 10 * time.Second},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			clk := clock.NewFake(t0)
			tc.cfg.Clock = clk
			b := resilience.NewBreaker(tc.cfg)
			b.HoldOpenUntil(t0.Add(tc.hold), "Retry-After")
			if s := b.Snapshot(); s.State != resilience.StateOpen || !s.OpenUntil.Equal(t0.Add(tc.want)) {
				t.Fatalf("held %s until %v, want open until +%s", s.State, s.OpenUntil.Sub(t0), tc.want)
			}
			if got := b.Config().MaxOpenFor; got != tc.want && tc.hold > tc.want {
				t.Fatalf("Config().MaxOpenFor = %s, want %s", got, tc.want)
			}
		})
	}
}

// rateLimited is a 429 asking to come back after d.
func rateLimited(now time.Time, d time.Duration) error {
	return &resilience.StatusError{Code: 429, Status: "429 Too Many Requests", Until: now.Add(d)}
}

// TestRetryHoldsBreakerOnEveryAttempt: a Retry-After holds the breaker open
// even when the attempt that carries it is the last one, or its error is
// permanent: holding is about the dependency, not about this call's retries.
func TestRetryHoldsBreakerOnEveryAttempt(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name     string
		attempts int
		wrap     func(error) error
	}{
		{"single attempt", 1, func(err error) error { return err }},
		{"permanent", 3, resilience.Permanent},
	}
	for _, tc := range tests {
		for _, api := range []string{"pipeline", "RetryWithBreaker"} {
			t.Run(tc.name+", "+api, func(t *testing.T) {
				t.Parallel()
				clk := clock.NewFake(t0)
				b := resilience.NewBreaker(resilience.BreakerConfig{Clock: clk})
				r := resilience.NewRetrier(resilience.RetryConfig{MaxAttempts: tc.attempts, HoldBreaker: true, Clock: clk})
				calls := 0
				fn := func(context.Context) (int, error) { calls++; return 0, tc.wrap(rateLimited(t0, 7*time.Second)) }
				var err error
				if api == "pipeline" {
					_, err = resilience.NewPipeline(resilience.PipelineConfig[int]{Breaker: b, Retry: r}).Do(context.Background(), fn)
				} else {
					_, err = resilience.RetryWithBreaker(context.Background(), r, b, fn)
				}
				var se *resilience.StatusError
				if !errors.As(err, &se) || calls != 1 {
					t.Fatalf("err %v after %d calls, want the 429 after one", err, calls)
				}
				if s := b.Snapshot(); s.State != resilience.StateOpen || !s.OpenUntil.Equal(t0.Add(7*time.Second)) {
					t.Fatalf("breaker %s until %v, want held open until +7s", s.State, s.OpenUntil)
				}
			})
		}
	}
}

// TestRetryWithBreakerLeavesPermitsToFn: fn takes and records its own
// permits (a stream's outcome is known only when it ends), so the retry
// loop records nothing itself; a rejection stops it like a pipeline's.
func TestRetryWithBreakerLeavesPermitsToFn(t *testing.T) {
	t.Parallel()
	clk := clock.NewFake(t0)
	b := resilience.NewBreaker(resilience.BreakerConfig{Clock: clk})
	r := resilience.NewRetrier(resilience.RetryConfig{MaxAttempts: 3, HoldBreaker: true, Clock: clk})
	var permit resilience.Permit
	v, err := resilience.RetryWithBreaker(context.Background(), r, b, func(context.Context) (string, error) {
		p, err := b.Allow()
		if err != nil {
			return "", err
		}
		permit = p
		return "stream", nil
	})
	if err != nil || v != "stream" {
		t.Fatalf("%q %v", v, err)
	}
	if tot := b.Snapshot().Totals; tot.Successes != 0 {
		t.Fatalf("the retry loop recorded an outcome itself: %+v", tot)
	}
	permit.Record(context.Background(), nil)
	if tot := b.Snapshot().Totals; tot.Successes != 1 {
		t.Fatalf("totals %+v, want fn's one success", tot)
	}

	// Held open for longer than the policy would wait: fn's rejection ends
	// the call at once.
	b.HoldOpenUntil(t0.Add(time.Hour), "Retry-After")
	calls := 0
	_, err = resilience.RetryWithBreaker(context.Background(), r, b, func(context.Context) (string, error) {
		calls++
		_, err := b.Allow()
		return "", err
	})
	if !errors.Is(err, resilience.ErrOpen) || calls != 1 {
		t.Fatalf("err %v after %d calls, want the rejection after one", err, calls)
	}
}
