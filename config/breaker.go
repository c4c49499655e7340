package config

import (
	"strings"
	"time"

	"github.com/flywheel-stack/flywheel/resilience"
)

// BreakerSpec is a backend's breaker section; ToResilience maps it onto a
// resilience.BreakerConfig, where a zero field means the library default (or,
// for a trip rule, that the rule is off).
//
// When the section is absent the backend gets DefaultBreaker. When it is
// present, keys it sets override those defaults, with two exceptions: if it
// sets any trip rule (failure_rate, slow_call_rate, consecutive_failures) the
// rules it does not set are off, and if it sets window_calls the default time
// window is dropped.
type BreakerSpec struct {
	// FailureRate trips the breaker when failures/calls over the window
	// reaches it. In (0,1].
	FailureRate float64 `yaml:"failure_rate"`
	// SlowCallRate trips the breaker when slow calls/calls over the window
	// reaches it. In (0,1]; needs SlowCall.
	SlowCallRate float64 `yaml:"slow_call_rate"`
	// SlowCall is the duration above which a call counts as slow; 0
	// disables slow-call detection.
	SlowCall time.Duration `yaml:"slow_call"`
	// ConsecutiveFailures trips the breaker after this many failures in a
	// row. >= 1.
	ConsecutiveFailures int `yaml:"consecutive_failures"`
	// MinCalls is how many calls the window must hold before a rate rule
	// can trip. >= 1; library default 10.
	MinCalls int `yaml:"min_calls"`
	// Window is the span of a time-based sliding window. Exclusive with
	// WindowCalls in a file; in code WindowCalls wins when both are set.
	Window time.Duration `yaml:"window"`
	// WindowCalls is the size of a count-based sliding window (the last N
	// calls).
	WindowCalls int `yaml:"window_calls"`
	// WindowBuckets is how many buckets a time window has. In [1,1000];
	// library default 10.
	WindowBuckets int `yaml:"window_buckets"`
	// OpenFor is how long the breaker stays open before trial calls.
	// Library default 30s.
	OpenFor time.Duration `yaml:"open_for"`
	// OpenBackoff multiplies OpenFor on each consecutive reopen; >= 1.
	OpenBackoff float64 `yaml:"open_backoff"`
	// MaxOpenFor caps the growing open duration; >= OpenFor. Library
	// default 10 × OpenFor when OpenBackoff > 1.
	MaxOpenFor time.Duration `yaml:"max_open_for"`
	// HalfOpenCalls is how many trial calls may run at once when half-open.
	// >= 1; library default 1.
	HalfOpenCalls int `yaml:"half_open_calls"`
	// SuccessThreshold is how many consecutive successful trial calls
	// close the breaker. >= 1; library default HalfOpenCalls.
	SuccessThreshold int `yaml:"success_threshold"`
}

// DefaultBreaker returns the breaker of a backend without a breaker section:
// failure_rate 0.5, min_calls 10, window 60s, open_for 30s, half_open_calls
// 2, slow_call 20s.
func DefaultBreaker() BreakerSpec {
	return BreakerSpec{
		FailureRate:   0.5,
		MinCalls:      10,
		Window:        60 * time.Second,
		OpenFor:       30 * time.Second,
		HalfOpenCalls: 2,
		SlowCall:      20 * time.Second,
	}
}

// ToResilience returns the breaker as a resilience.BreakerConfig with the
// given name. WindowCalls > 0 selects a count window, else Window > 0 a time
// window, else the library's default window.
func (b BreakerSpec) ToResilience(name string) resilience.BreakerConfig {
	c := resilience.BreakerConfig{
		Name:                name,
		ConsecutiveFailures: b.ConsecutiveFailures,
		FailureRate:         b.FailureRate,
		SlowCallRate:        b.SlowCallRate,
		SlowCall:            b.SlowCall,
		MinCalls:            b.MinCalls,
		WindowBuckets:       b.WindowBuckets,
		OpenFor:             b.OpenFor,
		OpenBackoff:         b.OpenBackoff,
		MaxOpenFor:          b.MaxOpenFor,
		HalfOpenCalls:       b.HalfOpenCalls,
		SuccessThreshold:    b.SuccessThreshold,
	}
	switch {
	case b.WindowCalls > 0:
		c.Window, c.WindowSize = resilience.CountWindow, b.WindowCalls
	case b.Window > 0:
		c.Window, c.WindowDuration = resilience.TimeWindow, b.Window
	}
	return c
}

// normalize turns off the default rules and window that the section
// replaced.
func (b *BreakerSpec) normalize(v *validator, path string) {
	set := func(k string) bool { return v.has(join(path, k)) }
	if set("failure_rate") || set("slow_call_rate") || set("consecutive_failures") {
		if !set("failure_rate") {
			b.FailureRate = 0
		}
		if !set("slow_call_rate") {
			b.SlowCallRate = 0
		}
		if !set("consecutive_failures") {
			b.ConsecutiveFailures = 0
		}
	}
	if set("window_calls") && !set("window") {
		b.Window = 0
	}
}

// validate checks each key where the file set it. A value the file did not
// set may be zero (the library default); one it set must be meaningful.
// resilience.BreakerConfig.Validate runs last, for any rule not covered here.
func (b *BreakerSpec) validate(v *validator, path string) {
	set := func(k string) bool { return v.has(join(path, k)) }
	reported := map[string]bool{}
	fail := func(k, format string, args ...any) {
		reported[k] = true
		v.errorf(join(path, k), format, args...)
	}
	rate := func(k string, r float64) {
		if (set(k) || r != 0) && !(r > 0 && r <= 1) {
			fail(k, "must be in (0,1], got %g", r)
		}
	}
	atLeastOne := func(k string, n int) {
		if n < 0 || (set(k) && n < 1) {
			fail(k, "must be >= 1, got %d", n)
		}
	}
	positive := func(k string, d time.Duration) {
		if d < 0 || (set(k) && d == 0) {
			fail(k, "must be > 0, got %s", d)
		}
	}

	rate("failure_rate", b.FailureRate)
	rate("slow_call_rate", b.SlowCallRate)
	atLeastOne("consecutive_failures", b.ConsecutiveFailures)
	atLeastOne("min_calls", b.MinCalls)
	atLeastOne("window_calls", b.WindowCalls)
	atLeastOne("half_open_calls", b.HalfOpenCalls)
	atLeastOne("success_threshold", b.SuccessThreshold)
	positive("window", b.Window)
	positive("open_for", b.OpenFor)
	positive("max_open_for", b.MaxOpenFor)

	if b.SlowCall < 0 {
		fail("slow_call", "must be >= 0, got %s", b.SlowCall)
	} else if b.SlowCallRate > 0 && b.SlowCall == 0 {
		if set("slow_call") {
			fail("slow_call", "must be > 0 when slow_call_rate is set, got 0s")
		} else {
			fail("slow_call_rate", "needs slow_call, the duration above which a call is slow")
		}
	}
	if (set("window_buckets") || b.WindowBuckets != 0) && (b.WindowBuckets < 1 || b.WindowBuckets > 1000) {
		fail("window_buckets", "must be in [1,1000], got %d", b.WindowBuckets)
	}
	if (set("open_backoff") || b.OpenBackoff != 0) && b.OpenBackoff < 1 {
		fail("open_backoff", "must be >= 1, got %g", b.OpenBackoff)
	}

	if set("window") && set("window_calls") {
		fail("window_calls", "cannot be combined with window (%s): window sets a time window, window_calls a count window", v.lineOf(join(path, "window")))
	}
	if set("window_buckets") && b.WindowCalls > 0 && !reported["window_calls"] {
		fail("window_buckets", "applies only to a time window (window), not to window_calls")
	}
	openFor := b.OpenFor
	if openFor <= 0 {
		openFor = 30 * time.Second
	}
	if b.MaxOpenFor > 0 && b.MaxOpenFor < openFor && !reported["max_open_for"] {
		fail("max_open_for", "must be >= open_for (%s), got %s", openFor, b.MaxOpenFor)
	}
	minCalls := b.MinCalls
	if minCalls <= 0 {
		minCalls = 10
	}
	if b.WindowCalls > 0 && (b.FailureRate > 0 || b.SlowCallRate > 0) && minCalls > b.WindowCalls &&
		!reported["min_calls"] && !reported["window_calls"] {
		at := "window_calls"
		if set("min_calls") {
			at = "min_calls"
		}
		fail(at, "min_calls (%d) must be <= window_calls (%d), or the rate rules can never trip", minCalls, b.WindowCalls)
	}

	// Whatever the library still rejects, at the key it names.
	for _, err := range unjoin(b.ToResilience("").Validate()) {
		key, msg, ok := strings.Cut(err.Error(), ": ")
		switch {
		case !ok:
			v.errorf(path, "%s", err.Error())
		case key == "window_size" && !reported["window_calls"]:
			fail("window_calls", "%s", msg)
		case key != "window_size" && !reported[key]:
			fail(key, "%s", msg)
		}
	}
}

// unjoin splits an error made by errors.Join into its parts.
func unjoin(err error) []error {
	if err == nil {
		return nil
	}
	if j, ok := err.(interface{ Unwrap() []error }); ok {
		return j.Unwrap()
	}
	return []error{err}
}
