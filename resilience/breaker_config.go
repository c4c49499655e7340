package resilience

import (
	"errors"
	"fmt"
	"time"

	"github.com/flywheel-stack/flywheel/clock"
)

// WindowKind selects how the breaker's sliding window counts calls.
type WindowKind int

const (
	// CountWindow keeps the outcomes of the last WindowSize calls.
	CountWindow WindowKind = iota
	// TimeWindow keeps the outcomes of the last WindowDuration, in
	// WindowBuckets buckets.
	TimeWindow
)

// String returns "count" or "time".
func (k WindowKind) String() string {
	if k == TimeWindow {
		return "time"
	}
	return "count"
}

// BreakerConfig configures a Breaker. The zero value is usable: it trips after
// five consecutive failures, stays open for 30 s and admits one trial call.
// A rule whose threshold is zero is off.
type BreakerConfig struct {
	// Name identifies the breaker in errors, listeners and metrics.
	Name string

	// ConsecutiveFailures trips the breaker after this many failures in a
	// row. 0 turns the rule off unless no other rule is set, in which case
	// it defaults to 5.
	ConsecutiveFailures int

	// FailureRate trips the breaker when failures/calls over the window
	// reaches it, once MinCalls calls were seen. In (0,1]; 0 turns it off.
	FailureRate float64
	// SlowCallRate trips the breaker when slow calls/calls over the window
	// reaches it, once MinCalls calls were seen. In (0,1]; 0 turns it off.
	SlowCallRate float64
	// SlowCall is the duration above which a call counts as slow, whatever
	// its outcome. 0 disables slow-call detection.
	SlowCall time.Duration
	// MinCalls is the number of calls the window must hold before a rate
	// rule can trip. Default 10.
	MinCalls int

	// Window selects a count-based or time-based sliding window.
	Window WindowKind
	// WindowSize is the number of calls a CountWindow keeps. Default 100.
	WindowSize int
	// WindowDuration is the span a TimeWindow covers. Default 60 s.
	WindowDuration time.Duration
	// WindowBuckets is the number of buckets of a TimeWindow. Default 10.
	WindowBuckets int

	// OpenFor is how long the breaker stays open before it lets trial calls
	// through. Default 30 s.
	OpenFor time.Duration
	// OpenBackoff multiplies OpenFor on each consecutive reopen (a trial
	// call that fails). 0 or 1 keeps OpenFor constant.
	OpenBackoff float64
	// MaxOpenFor caps how long the breaker stays open at a time: the
	// growing open duration, and a hold (HoldOpenUntil, such as a
	// dependency's Retry-After a year ahead). Default 10 × OpenFor when
	// OpenBackoff > 1, else DefaultMaxOpenFor (or OpenFor, when longer).
	MaxOpenFor time.Duration

	// HalfOpenCalls is how many trial calls may run concurrently in the
	// half-open state. Default 1.
	HalfOpenCalls int
	// SuccessThreshold is how many consecutive successful trial calls close
	// the breaker. Default HalfOpenCalls.
	SuccessThreshold int

	// Classify maps a call's error to an outcome. nil uses DefaultClassify:
	// nil is a success, anything else a failure. A caller's own context
	// cancellation is always ignored, before Classify is consulted.
	Classify func(err error) Outcome

	// OnStateChange, if set, is called on every transition while the
	// breaker's transition lock is held: it must not call back into the
	// breaker.
	OnStateChange func(Transition)

	// Clock is the time source. nil means the real clock.
	Clock clock.Clock
}

// DefaultMaxOpenFor is the longest a breaker without an open backoff stays
// open at a time unless its MaxOpenFor says otherwise: a Retry-After further
// ahead holds it open this long.
const DefaultMaxOpenFor = 5 * time.Minute

// Outcome is how a finished call counts for the breaker.
type Outcome uint8

const (
	// OutcomeSuccess counts as a success.
	OutcomeSuccess Outcome = iota
	// OutcomeFailure counts as a failure.
	OutcomeFailure
	// OutcomeIgnored does not count at all (but releases the permit).
	OutcomeIgnored
)

// String names the outcome as metrics label it.
func (o Outcome) String() string {
	switch o {
	case OutcomeSuccess:
		return "success"
	case OutcomeFailure:
		return "failure"
	default:
		return "ignored"
	}
}

// DefaultClassify treats nil as success and every other error as failure,
// except errors marked with Ignore.
func DefaultClassify(err error) Outcome {
	if err == nil {
		return OutcomeSuccess
	}
	if IsIgnored(err) {
		return OutcomeIgnored
	}
	return OutcomeFailure
}

// withDefaults returns c with zero fields filled in.
func (c BreakerConfig) withDefaults() BreakerConfig {
	if c.ConsecutiveFailures == 0 && c.FailureRate == 0 && c.SlowCallRate == 0 {
		c.ConsecutiveFailures = 5
	}
	if c.MinCalls <= 0 {
		c.MinCalls = 10
	}
	if c.WindowSize <= 0 {
		c.WindowSize = 100
	}
	if c.WindowDuration <= 0 {
		c.WindowDuration = time.Minute
	}
	if c.WindowBuckets <= 0 {
		c.WindowBuckets = 10
	}
	if c.OpenFor <= 0 {
		c.OpenFor = 30 * time.Second
	}
	if c.MaxOpenFor <= 0 {
		c.MaxOpenFor = max(DefaultMaxOpenFor, c.OpenFor)
		if c.OpenBackoff > 1 {
			c.MaxOpenFor = 10 * c.OpenFor
		}
	}
	if c.HalfOpenCalls <= 0 {
		c.HalfOpenCalls = 1
	}
	if c.SuccessThreshold <= 0 {
		c.SuccessThreshold = c.HalfOpenCalls
	}
	if c.Classify == nil {
		c.Classify = DefaultClassify
	}
	c.Clock = clock.OrReal(c.Clock)
	return c
}

// Validate reports the first setting that is out of range.
func (c BreakerConfig) Validate() error {
	var errs []error
	check := func(ok bool, format string, a ...any) {
		if !ok {
			errs = append(errs, fmt.Errorf(format, a...))
		}
	}
	check(c.ConsecutiveFailures >= 0, "consecutive_failures: must be >= 0, got %d", c.ConsecutiveFailures)
	check(c.FailureRate >= 0 && c.FailureRate <= 1, "failure_rate: must be in (0,1], got %g", c.FailureRate)
	check(c.SlowCallRate >= 0 && c.SlowCallRate <= 1, "slow_call_rate: must be in (0,1], got %g", c.SlowCallRate)
	check(c.SlowCallRate == 0 || c.SlowCall > 0, "slow_call: must be set when slow_call_rate is, got %s", c.SlowCall)
	check(c.SlowCall >= 0, "slow_call: must be >= 0, got %s", c.SlowCall)
	check(c.MinCalls >= 0, "min_calls: must be >= 0, got %d", c.MinCalls)
	check(c.WindowSize >= 0, "window_size: must be >= 0, got %d", c.WindowSize)
	check(c.WindowDuration >= 0, "window: must be >= 0, got %s", c.WindowDuration)
	check(c.WindowBuckets >= 0 && c.WindowBuckets <= 1000, "window_buckets: must be in [1,1000], got %d", c.WindowBuckets)
	check(c.OpenFor >= 0, "open_for: must be >= 0, got %s", c.OpenFor)
	check(c.OpenBackoff == 0 || c.OpenBackoff >= 1, "open_backoff: must be >= 1, got %g", c.OpenBackoff)
	check(c.MaxOpenFor == 0 || c.MaxOpenFor >= c.OpenFor, "max_open_for: must be >= open_for (%s), got %s", c.OpenFor, c.MaxOpenFor)
	check(c.HalfOpenCalls >= 0, "half_open_calls: must be >= 0, got %d", c.HalfOpenCalls)
	check(c.SuccessThreshold >= 0, "success_threshold: must be >= 0, got %d", c.SuccessThreshold)
	check(c.SuccessThreshold == 0 || c.HalfOpenCalls == 0 || c.SuccessThreshold >= 1, "success_threshold: must be >= 1")
	return errors.Join(errs...)
}
