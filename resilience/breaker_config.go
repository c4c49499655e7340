package resilience

import (
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
	// rule can trip. Default 10, or WindowSize when a count window is
	// smaller.
	MinCalls int

	// Window selects a count-based or time-based sliding window.
	Window WindowKind
	// WindowSize is the number of calls a CountWindow keeps. Default 100, or
	// MinCalls when that is larger.
	WindowSize int
	// WindowDuration is the span a TimeWindow covers. Default 60 s.
	WindowDuration time.Duration
	// WindowBuckets is the number of buckets of a TimeWindow. Default 10.
	WindowBuckets int

	// OpenFor is how long the breaker stays open before it lets trial calls
	// through. Default 30 s, or MaxOpenFor when that is shorter.
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

// The breaker's defaults, for the fields left at zero.
const (
	defaultConsecutiveFailures = 5
	defaultMinCalls            = 10
	defaultWindowSize          = 100
	defaultWindowDuration      = time.Minute
	defaultWindowBuckets       = 10
	defaultOpenFor             = 30 * time.Second
	defaultMaxOpenForFactor    = 10
	defaultHalfOpenCalls       = 1
)

// withDefaults returns c with zero fields filled in. A default adapts to the
// fields that are set, so that it never conflicts with them: MinCalls
// defaults to min(10, WindowSize) for a count window, WindowSize to
// max(100, MinCalls), OpenFor to min(30s, MaxOpenFor), MaxOpenFor to
// max(DefaultMaxOpenFor, OpenFor) (10 × OpenFor with an open backoff).
func (c BreakerConfig) withDefaults() BreakerConfig {
	if c.ConsecutiveFailures == 0 && c.FailureRate == 0 && c.SlowCallRate == 0 {
		c.ConsecutiveFailures = defaultConsecutiveFailures
	}
	if c.WindowSize <= 0 {
		c.WindowSize = max(defaultWindowSize, c.MinCalls)
	}
	if c.MinCalls <= 0 {
		c.MinCalls = defaultMinCalls
		if c.Window == CountWindow {
			c.MinCalls = min(defaultMinCalls, c.WindowSize)
		}
	}
	if c.WindowDuration <= 0 {
		c.WindowDuration = defaultWindowDuration
	}
	if c.WindowBuckets <= 0 {
		c.WindowBuckets = defaultWindowBuckets
	}
	if c.OpenFor <= 0 {
		c.OpenFor = defaultOpenFor
		if c.MaxOpenFor > 0 {
			c.OpenFor = min(defaultOpenFor, c.MaxOpenFor)
		}
	}
	if c.MaxOpenFor <= 0 {
		c.MaxOpenFor = max(DefaultMaxOpenFor, c.OpenFor)
		if c.OpenBackoff > 1 {
			c.MaxOpenFor = defaultMaxOpenForFactor * c.OpenFor
		}
	}
	if c.HalfOpenCalls <= 0 {
		c.HalfOpenCalls = defaultHalfOpenCalls
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

// Validate reports every setting that is out of range, each as a
// *FieldError naming its field. A zero field is valid: it takes its default
// (which adapts to the fields that are set) or, for a trip rule, is off. So
// only two fields the caller set can conflict, like MaxOpenFor below
// OpenFor.
func (c BreakerConfig) Validate() error { return c.ValidateSet() }

// ValidateSet is Validate for a caller that knows which fields were set on
// purpose, such as a configuration file: a field named in set (by its Go
// name, like "MinCalls") is out of range at zero too, where zero would mean
// its default or off.
func (c BreakerConfig) ValidateSet(set ...string) error {
	v := &fieldChecker{set: set}
	v.rate("FailureRate", c.FailureRate)
	v.rate("SlowCallRate", c.SlowCallRate)
	v.count("ConsecutiveFailures", c.ConsecutiveFailures)
	v.count("MinCalls", c.MinCalls)
	v.count("WindowSize", c.WindowSize)
	v.count("HalfOpenCalls", c.HalfOpenCalls)
	v.count("SuccessThreshold", c.SuccessThreshold)
	v.duration("WindowDuration", c.WindowDuration)
	v.duration("OpenFor", c.OpenFor)
	v.duration("MaxOpenFor", c.MaxOpenFor)
	v.durationOrOff("SlowCall", c.SlowCall)
	v.between("WindowBuckets", c.WindowBuckets, 1, 1000)
	v.factor("OpenBackoff", c.OpenBackoff)

	if c.SlowCallRate > 0 && c.SlowCall == 0 && !v.failed("SlowCallRate") {
		v.failPair("SlowCall", "SlowCallRate", "must be > 0 when %s is set, got 0s", otherMark)
	}
	if c.MaxOpenFor > 0 && c.OpenFor > 0 && c.MaxOpenFor < c.OpenFor && !v.failed("MaxOpenFor", "OpenFor") {
		v.failPair("MaxOpenFor", "OpenFor", "must be >= %s (%s), got %s", otherMark, c.OpenFor, c.MaxOpenFor)
	}
	if c.Window == CountWindow && (c.FailureRate > 0 || c.SlowCallRate > 0) && c.MinCalls > 0 && c.WindowSize > 0 &&
		c.MinCalls > c.WindowSize && !v.failed("MinCalls", "WindowSize") {
		v.failPair("MinCalls", "WindowSize", "must be <= %s (%d), or the rate rules can never trip; got %d", otherMark, c.WindowSize, c.MinCalls)
	}
	return v.result()
}
