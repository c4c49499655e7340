package resilience

import (
	"context"
	"errors"
	"math"
	"math/rand/v2"
	"sync/atomic"
	"time"

	"github.com/flywheel-stack/flywheel/clock"
)

// Retrier retries failed attempts with capped exponential backoff and
// jitter. One Retrier serves many concurrent calls; it holds only its
// configuration and counters.
type Retrier struct {
	cfg RetryConfig

	calls, retries, gaveUp, budgetExhausted atomic.Uint64
}

// NewRetrier returns a retrier with cfg's zero fields defaulted. It panics on
// a config that does not validate.
func NewRetrier(cfg RetryConfig) *Retrier {
	if err := cfg.Validate(); err != nil {
		panic("resilience: invalid retry config " + cfg.Name + ": " + err.Error())
	}
	return &Retrier{cfg: cfg.withDefaults()}
}

// Config returns the retrier's configuration with defaults filled in.
func (r *Retrier) Config() RetryConfig { return r.cfg }

// RetryStats are a retrier's lifetime counters.
type RetryStats struct {
	// Calls is the number of calls made through the retrier.
	Calls uint64
	// Retries is the number of attempts after the first.
	Retries uint64
	// GaveUp counts calls that failed after their last allowed attempt.
	GaveUp uint64
	// BudgetExhausted counts retries the budget refused.
	BudgetExhausted uint64
}

// Stats returns the retrier's counters.
func (r *Retrier) Stats() RetryStats {
	return RetryStats{Calls: r.calls.Load(), Retries: r.retries.Load(), GaveUp: r.gaveUp.Load(),
		BudgetExhausted: r.budgetExhausted.Load()}
}

// Backoff returns the delay before attempt n+1 after n failed attempts
// (n >= 1), given the previous delay (used by decorrelated jitter).
func (r *Retrier) Backoff(n int, prev time.Duration) time.Duration {
	c := &r.cfg
	exp := float64(c.BaseDelay) * math.Pow(c.Multiplier, float64(n-1))
	if exp > float64(c.MaxDelay) || math.IsInf(exp, 0) {
		exp = float64(c.MaxDelay)
	}
	var d float64
	switch c.Jitter {
	case JitterNone:
		d = exp
	case JitterEqual:
		d = exp/2 + r.rand()*exp/2
	case JitterDecorrelated:
		if prev < c.BaseDelay {
			prev = c.BaseDelay
		}
		hi := 3 * float64(prev)
		d = float64(c.BaseDelay) + r.rand()*(hi-float64(c.BaseDelay))
		if d > float64(c.MaxDelay) {
			d = float64(c.MaxDelay)
		}
	default:
		d = r.rand() * exp
	}
	return time.Duration(d)
}

func (r *Retrier) rand() float64 {
	if r.cfg.Rand != nil {
		return r.cfg.Rand()
	}
	return rand.Float64()
}

// Do calls fn until it succeeds, returns a permanent error, or the policy
// gives up; it returns the last error.
func (r *Retrier) Do(ctx context.Context, fn func(context.Context) error) error {
	_, _, err := run(ctx, r, nil, 0, func(ctx context.Context) (struct{}, error) { return struct{}{}, fn(ctx) }, false)
	return err
}

// Retry calls fn through r and returns its result.
func Retry[T any](ctx context.Context, r *Retrier, fn func(context.Context) (T, error)) (T, error) {
	v, _, err := run(ctx, r, nil, 0, fn, false)
	return v, err
}

// RetryWithBreaker calls fn through r for a call that breaker b guards and
// whose permits fn takes itself: Allow before the call, Record once its
// result is used up, which may be long after fn returns (a stream relayed
// to a client). Unlike a Pipeline's, the loop does not wrap each attempt in
// b; b is what the policy holds open for a Retry-After (HoldBreaker), and a
// wait for it longer than the policy's MaxDelay ends the retries at once, as
// does a rejection from b (returned by fn) that the policy would not wait
// out, instead of sleeping into the rejection.
func RetryWithBreaker[T any](ctx context.Context, r *Retrier, b *Breaker, fn func(context.Context) (T, error)) (T, error) {
	v, _, err := run(ctx, r, b, 0, fn, true)
	return v, err
}

// run is the attempt loop shared by Retrier and Pipeline: each attempt goes
// through the breaker (if any, unless fn takes its own permits) and the
// per-attempt timeout (if any).
func run[T any](ctx context.Context, r *Retrier, b *Breaker, attemptTimeout time.Duration,
	fn func(context.Context) (T, error), ownPermits bool) (v T, attempts int, err error) {
	guard := b
	if ownPermits {
		guard = nil
	}
	if r == nil {
		v, err = attempt(ctx, guard, attemptTimeout, fn)
		return v, 1, err
	}
	c := &r.cfg
	r.calls.Add(1)
	if c.Budget != nil {
		c.Budget.RecordCall()
	}
	var start time.Time
	var delay time.Duration
	for attempts = 1; ; attempts++ {
		v, err = attempt(ctx, guard, attemptTimeout, fn)
		if err == nil {
			return v, attempts, nil
		}
		r.hold(b, err)
		if attempts == 1 && c.MaxElapsed > 0 {
			start = c.Clock.Now()
		}
		if attempts >= c.MaxAttempts {
			if c.MaxAttempts > 1 {
				r.gaveUp.Add(1)
			}
			return v, attempts, err
		}
		var ok bool
		if delay, ok = r.nextDelay(ctx, b, err, attempts, delay, start); !ok {
			return v, attempts, err
		}
		if c.Budget != nil && !c.Budget.TryRetry() {
			r.budgetExhausted.Add(1)
			return v, attempts, err
		}
		if werr := wait(ctx, c.Clock, delay); werr != nil {
			return v, attempts, errors.Join(werr, err)
		}
		r.retries.Add(1)
	}
}

// nextDelay decides whether another attempt makes sense after err, and how
// long to wait before it.
func (r *Retrier) nextDelay(ctx context.Context, b *Breaker, err error, attempts int, prev time.Duration,
	start time.Time) (time.Duration, bool) {
	c := &r.cfg
	if ctx.Err() != nil || IsPermanent(err) {
		return 0, false
	}
	rejected := IsRejected(err)
	if !rejected && c.RetryIf != nil && !c.RetryIf(err) {
		return 0, false
	}
	now := c.Clock.Now()
	delay := r.Backoff(attempts, prev)
	retryAt, hasRetryAt := RetryAtOf(err)
	if rejected && !hasRetryAt {
		return 0, false // forced open: nothing to wait for
	}
	if hasRetryAt {
		holding := !rejected && c.HoldBreaker && b != nil // see hold
		if until := retryAt.Sub(now); until > delay {
			// Waiting less than asked would only meet the breaker's
			// rejection (or the dependency's): give up instead.
			if until > c.MaxDelay && (rejected || holding) {
				return 0, false
			}
			delay = min(until, c.MaxDelay)
		}
	}
	if deadline, ok := ctx.Deadline(); ok && now.Add(delay).After(deadline) {
		return 0, false
	}
	if c.MaxElapsed > 0 && now.Add(delay).Sub(start) > c.MaxElapsed {
		return 0, false
	}
	return delay, true
}

// hold holds b open until the retry instant a failed attempt's error
// carries (a Retry-After), when the policy holds breakers. It runs after
// every failed attempt, the last one and one whose error is permanent
// included: the dependency asked for the pause whether or not this call
// retries.
func (r *Retrier) hold(b *Breaker, err error) {
	if !r.cfg.HoldBreaker || b == nil || IsRejected(err) {
		return
	}
	if at, ok := RetryAtOf(err); ok {
		b.HoldOpenUntil(at, "dependency asked to retry after "+at.UTC().Format(time.RFC3339))
	}
}

// wait blocks for d on clk, or until ctx is done.
func wait(ctx context.Context, clk clock.Clock, d time.Duration) error {
	if d <= 0 {
		return ctx.Err()
	}
	t := clk.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C():
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}

// attempt runs fn once through the breaker and the per-attempt timeout.
func attempt[T any](ctx context.Context, b *Breaker, timeout time.Duration, fn func(context.Context) (T, error)) (T, error) {
	if timeout > 0 {
		actx, cancel := context.WithTimeoutCause(ctx, timeout, ErrAttemptTimeout)
		defer cancel()
		v, err := attemptWithBreaker(actx, b, fn)
		if err != nil && ctx.Err() == nil && actx.Err() != nil && !errors.Is(err, context.DeadlineExceeded) {
			err = errors.Join(ErrAttemptTimeout, err)
		}
		return v, err
	}
	return attemptWithBreaker(ctx, b, fn)
}

func attemptWithBreaker[T any](ctx context.Context, b *Breaker, fn func(context.Context) (T, error)) (T, error) {
	if b == nil {
		return fn(ctx)
	}
	return Execute(ctx, b, fn)
}
