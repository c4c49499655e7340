package resilience

import (
	"context"
	"fmt"
	"math"
	"sync"
	"sync/atomic"
	"time"

	"github.com/flywheel-stack/flywheel/clock"
)

// Breaker is a circuit breaker with the states closed, open and half-open,
// plus forced-open and disabled for operators. It trips on any configured
// rule: consecutive failures, failure rate or slow-call rate over a sliding
// window. Use Allow and Permit.Record around any piece of work, or Execute
// (and Breaker.Do) for a single call. A Breaker is safe for concurrent use.
//
// Each state lives in a generation: a transition installs a new one. A permit
// remembers the generation that issued it, so an outcome from before a
// transition never counts towards the state after it.
type Breaker struct {
	cfg   BreakerConfig
	clk   clock.Clock
	epoch time.Time

	// needTime is true when recording needs the end time: slow-call
	// detection or a time window.
	needTime bool
	rates    bool

	cur atomic.Pointer[generation]

	mu      sync.Mutex // serialises transitions
	reopens int        // consecutive reopens since the last close, under mu

	successes, failures, ignored, rejected atomic.Uint64
	transitions                            [len(States)]atomic.Uint64

	// touched is set on use and cleared by the registry's idle sweep.
	touched atomic.Bool
}

// generation holds one state's counters. Its immutable fields are set
// before it is published.
type generation struct {
	state     State
	since     time.Time
	openUntil time.Time
	rejection *RejectedError // returned while open, forced open or half-open
	win       window         // nil when no rate rule is configured

	consecutiveFailures  atomic.Int64
	consecutiveSuccesses atomic.Int64
	trials               atomic.Int64 // half-open permits held
	warm                 atomic.Bool  // the window has held MinCalls calls
	// due is set by a timer when an open generation's open-until instant
	// passes, so that a rejection reads no clock.
	due   atomic.Bool
	timer clock.Timer
}

// NewBreaker returns a closed breaker. cfg's zero fields take their defaults;
// NewBreaker panics if cfg does not validate, since that is a programming
// error (config files are validated by the config package first).
func NewBreaker(cfg BreakerConfig) *Breaker {
	if err := cfg.Validate(); err != nil {
		panic(fmt.Sprintf("resilience: invalid breaker config %q: %v", cfg.Name, err))
	}
	cfg = cfg.withDefaults()
	b := &Breaker{cfg: cfg, clk: cfg.Clock}
	b.epoch = b.clk.Now()
	b.rates = cfg.FailureRate > 0 || cfg.SlowCallRate > 0
	b.needTime = cfg.SlowCall > 0 || (b.rates && cfg.Window == TimeWindow)
	b.cur.Store(b.newGeneration(StateClosed, b.epoch, time.Time{}))
	return b
}

// Name returns the breaker's name.
func (b *Breaker) Name() string { return b.cfg.Name }

// Config returns the breaker's configuration with defaults filled in.
func (b *Breaker) Config() BreakerConfig { return b.cfg }

func (b *Breaker) newGeneration(s State, now, openUntil time.Time) *generation {
	g := &generation{state: s, since: now, openUntil: openUntil}
	switch s {
	case StateClosed:
		if b.rates {
			if b.cfg.Window == TimeWindow {
				g.win = newTimeWindow(int64(b.cfg.WindowDuration), b.cfg.WindowBuckets)
			} else {
				g.win = newCountWindow(b.cfg.WindowSize)
			}
		}
	case StateOpen:
		g.rejection = &RejectedError{Breaker: b.cfg.Name, Reason: ErrOpen, Until: openUntil}
	case StateForcedOpen:
		g.rejection = &RejectedError{Breaker: b.cfg.Name, Reason: ErrOpen}
	case StateHalfOpen:
		g.rejection = &RejectedError{Breaker: b.cfg.Name, Reason: ErrTooManyCalls, Until: now.Add(b.cfg.OpenFor)}
	}
	return g
}

// Permit is the right to make one call. Record its outcome exactly once; a
// zero Permit (from a rejection) records nothing.
type Permit struct {
	b     *Breaker
	g     *generation
	start time.Duration // since the breaker's epoch, when timed
	timed bool
}

// Allow asks for a permit. It returns a *RejectedError matching ErrOpen while
// the breaker is open or forced open, and one matching ErrTooManyCalls when
// it is half-open and every trial permit is taken.
func (b *Breaker) Allow() (Permit, error) {
	if !b.touched.Load() {
		b.touched.Store(true)
	}
	for {
		g := b.cur.Load()
		switch g.state {
		case StateClosed, StateDisabled:
			p := Permit{b: b, g: g}
			if b.cfg.SlowCall > 0 {
				p.start, p.timed = b.clk.Since(b.epoch), true
			}
			return p, nil
		case StateOpen:
			if !g.due.Load() {
				b.rejected.Add(1)
				return Permit{}, g.rejection
			}
			b.transition(g, StateHalfOpen, b.clk.Now(), time.Time{}, "open_for elapsed")
		case StateForcedOpen:
			b.rejected.Add(1)
			return Permit{}, g.rejection
		case StateHalfOpen:
			n := g.trials.Load()
			if n >= int64(b.cfg.HalfOpenCalls) {
				b.rejected.Add(1)
				return Permit{}, g.rejection
			}
			if g.trials.CompareAndSwap(n, n+1) {
				return Permit{b: b, g: g, start: b.clk.Since(b.epoch), timed: true}, nil
			}
		}
	}
}

// Record classifies err and records the outcome, measuring the call's
// duration from Allow when slow-call detection is on. A caller's own context
// cancellation is ignored, never a failure; a deadline is a failure.
func (p Permit) Record(ctx context.Context, err error) {
	if p.b == nil {
		return
	}
	p.b.record(p, p.b.classify(ctx, err), -1)
}

// RecordOutcome records an outcome the caller classified, with the call's
// duration (negative: measure from Allow).
func (p Permit) RecordOutcome(o Outcome, d time.Duration) {
	if p.b == nil {
		return
	}
	p.b.record(p, o, d)
}

func (b *Breaker) classify(ctx context.Context, err error) Outcome {
	if ctx != nil && ctx.Err() == context.Canceled {
		return OutcomeIgnored
	}
	if err == nil {
		return OutcomeSuccess
	}
	return b.cfg.Classify(err)
}

func (b *Breaker) record(p Permit, o Outcome, d time.Duration) {
	g := p.g
	switch o {
	case OutcomeSuccess:
		b.successes.Add(1)
	case OutcomeFailure:
		b.failures.Add(1)
	default:
		b.ignored.Add(1)
	}
	if g.state == StateHalfOpen {
		g.trials.Add(-1)
	}
	if o == OutcomeIgnored || g.state == StateDisabled || b.cur.Load() != g {
		return
	}
	var elapsed time.Duration // since the breaker's epoch: cheaper than reading the wall clock
	if b.needTime || g.state == StateHalfOpen {
		elapsed = b.clk.Since(b.epoch)
		if d < 0 && p.timed {
			d = elapsed - p.start
		}
	}
	failed := o == OutcomeFailure
	slow := b.cfg.SlowCall > 0 && d > b.cfg.SlowCall
	if g.state == StateHalfOpen {
		b.recordTrial(g, failed || (slow && b.cfg.SlowCallRate > 0), slow)
		return
	}
	nanos := int64(elapsed)
	if g.win != nil {
		g.win.record(failed, slow, nanos)
	}
	if failed {
		n := g.consecutiveFailures.Add(1)
		if b.cfg.ConsecutiveFailures > 0 && n >= int64(b.cfg.ConsecutiveFailures) {
			b.trip(g, fmt.Sprintf("%d consecutive failures", n))
			return
		}
	} else if g.consecutiveFailures.Load() != 0 {
		g.consecutiveFailures.Store(0)
	}
	// A fast success can only lower the rates, except while the window
	// fills: the call that brings it to MinCalls may find a rate already
	// over the threshold.
	if g.win != nil && (failed || slow || !g.warm.Load()) {
		if reason := b.rateRule(g, nanos); reason != "" {
			b.trip(g, reason)
		}
	}
}

// rateRule returns why a rate rule trips, or "".
func (b *Breaker) rateRule(g *generation, nanos int64) string {
	calls, failures, slow := g.win.counts(nanos)
	if calls < int64(b.cfg.MinCalls) || calls == 0 {
		return ""
	}
	if !g.warm.Load() {
		g.warm.Store(true)
	}
	if r := float64(failures) / float64(calls); b.cfg.FailureRate > 0 && r >= b.cfg.FailureRate {
		return fmt.Sprintf("failure rate %.2f >= %.2f over %d calls", r, b.cfg.FailureRate, calls)
	}
	if r := float64(slow) / float64(calls); b.cfg.SlowCallRate > 0 && r >= b.cfg.SlowCallRate {
		return fmt.Sprintf("slow-call rate %.2f >= %.2f over %d calls (slower than %s)", r, b.cfg.SlowCallRate, calls, b.cfg.SlowCall)
	}
	return ""
}

func (b *Breaker) recordTrial(g *generation, failed, slow bool) {
	if failed {
		g.consecutiveFailures.Add(1)
		reason := "trial call failed"
		if slow {
			reason = "trial call was slow"
		}
		b.trip(g, reason)
		return
	}
	if n := g.consecutiveSuccesses.Add(1); n >= int64(b.cfg.SuccessThreshold) {
		b.transition(g, StateClosed, b.clk.Now(), time.Time{}, fmt.Sprintf("%d successful trial call(s)", n))
	}
}

// trip opens the breaker from g, for OpenFor grown by OpenBackoff on each
// consecutive reopen.
func (b *Breaker) trip(g *generation, reason string) {
	now := b.clk.Now()
	b.mu.Lock()
	defer b.mu.Unlock()
	if b.cur.Load() != g {
		return
	}
	if g.state == StateHalfOpen {
		b.reopens++
	} else {
		b.reopens = 0
	}
	b.transitionLocked(g, StateOpen, now, now.Add(b.openFor()), reason)
}

func (b *Breaker) openFor() time.Duration {
	d := b.cfg.OpenFor
	if b.cfg.OpenBackoff > 1 && b.reopens > 0 {
		grown := float64(d) * math.Pow(b.cfg.OpenBackoff, float64(b.reopens))
		if grown > float64(b.cfg.MaxOpenFor) {
			return b.cfg.MaxOpenFor
		}
		d = time.Duration(grown)
	}
	return d
}

// transition moves from g to state to, unless another transition got there
// first.
func (b *Breaker) transition(g *generation, to State, now, openUntil time.Time, reason string) {
	b.mu.Lock()
	defer b.mu.Unlock()
	if b.cur.Load() != g {
		return
	}
	if to == StateClosed {
		b.reopens = 0
	}
	b.transitionLocked(g, to, now, openUntil, reason)
}

func (b *Breaker) transitionLocked(g *generation, to State, now, openUntil time.Time, reason string) {
	next := b.newGeneration(to, now, openUntil)
	counts := b.countsOf(g, now)
	if g.timer != nil {
		g.timer.Stop()
	}
	if to == StateOpen {
		next.timer = b.clk.AfterFunc(openUntil.Sub(now), func() { next.due.Store(true) })
	}
	b.cur.Store(next)
	b.transitions[to].Add(1)
	if b.cfg.OnStateChange != nil {
		b.cfg.OnStateChange(Transition{Breaker: b.cfg.Name, From: g.state, To: to, Counts: counts,
			Reason: reason, At: now, OpenUntil: openUntil})
	}
}

func (b *Breaker) countsOf(g *generation, now time.Time) Counts {
	c := Counts{
		ConsecutiveFailures:  g.consecutiveFailures.Load(),
		ConsecutiveSuccesses: g.consecutiveSuccesses.Load(),
	}
	if g.win != nil {
		c.Calls, c.Failures, c.Slow = g.win.counts(int64(now.Sub(b.epoch)))
	}
	return c
}

// HoldOpenUntil opens the breaker until t, or keeps it open at least until t
// (for example from a backend's Retry-After), but never longer than
// MaxOpenFor from now. It does nothing to a forced-open or disabled breaker,
// or when t is not in the future.
func (b *Breaker) HoldOpenUntil(t time.Time, reason string) {
	now := b.clk.Now()
	if !t.After(now) {
		return
	}
	if limit := now.Add(b.cfg.MaxOpenFor); t.After(limit) {
		t = limit
	}
	b.mu.Lock()
	defer b.mu.Unlock()
	g := b.cur.Load()
	switch {
	case g.state == StateForcedOpen || g.state == StateDisabled:
		return
	case g.state == StateOpen && !g.openUntil.Before(t):
		return
	}
	b.transitionLocked(g, StateOpen, now, t, reason)
}

// ForceOpen rejects every call until Reset. For operators.
func (b *Breaker) ForceOpen(reason string) { b.set(StateForcedOpen, reason) }

// Disable lets every call through and counts nothing until Reset. For
// operators.
func (b *Breaker) Disable(reason string) { b.set(StateDisabled, reason) }

// Reset closes the breaker with fresh counts.
func (b *Breaker) Reset(reason string) { b.set(StateClosed, reason) }

func (b *Breaker) set(to State, reason string) {
	now := b.clk.Now()
	b.mu.Lock()
	defer b.mu.Unlock()
	b.reopens = 0
	b.transitionLocked(b.cur.Load(), to, now, time.Time{}, reason)
}

// State returns the current state. An open breaker whose open_for has
// elapsed reports half-open, as the next call would find it.
func (b *Breaker) State() State {
	g := b.cur.Load()
	if g.state == StateOpen && g.due.Load() {
		return StateHalfOpen
	}
	return g.state
}

// Snapshot returns the breaker's state, counts, totals and open-until instant.
func (b *Breaker) Snapshot() Snapshot {
	now := b.clk.Now()
	g := b.cur.Load()
	s := Snapshot{Name: b.cfg.Name, State: g.state, Counts: b.countsOf(g, now), OpenUntil: g.openUntil,
		InFlightTrials: g.trials.Load()}
	if g.state == StateOpen && g.due.Load() {
		s.State = StateHalfOpen
	}
	s.Totals = Totals{Successes: b.successes.Load(), Failures: b.failures.Load(),
		Ignored: b.ignored.Load(), Rejected: b.rejected.Load()}
	for i := range b.transitions {
		s.Totals.Transitions[i] = b.transitions[i].Load()
	}
	return s
}

// Do runs fn through the breaker.
func (b *Breaker) Do(ctx context.Context, fn func(context.Context) error) error {
	p, err := b.Allow()
	if err != nil {
		return err
	}
	defer recordPanic(ctx, p)
	err = fn(ctx)
	p.Record(ctx, err)
	return err
}

// Execute runs fn through b and returns its result. A rejection returns the
// zero T and a *RejectedError. A panic in fn is recorded as a failure and
// re-raised.
func Execute[T any](ctx context.Context, b *Breaker, fn func(context.Context) (T, error)) (T, error) {
	p, err := b.Allow()
	if err != nil {
		var zero T
		return zero, err
	}
	defer recordPanic(ctx, p)
	v, err := fn(ctx)
	p.Record(ctx, err)
	return v, err
}

// recordPanic records a failure for a permit whose call panicked, so that a
// half-open trial permit is never leaked, and re-panics.
func recordPanic(_ context.Context, p Permit) {
	if r := recover(); r != nil {
		p.RecordOutcome(OutcomeFailure, -1)
		panic(r)
	}
}
