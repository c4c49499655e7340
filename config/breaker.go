package config

import (
	"slices"
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
// failure_rate 0.5 over a 60s time window, half_open_calls 2, slow_call 20s,
// and the resilience library's defaults for the rest (min_calls 10,
// open_for 30s), which the library adapts to the keys a section sets.
func DefaultBreaker() BreakerSpec {
	return BreakerSpec{
		FailureRate:   0.5,
		Window:        60 * time.Second,
		HalfOpenCalls: 2,
		SlowCall:      20 * time.Second,
	}
}

// ToResilience returns the breaker as a resilience.BreakerConfig with the
// given name. A non-zero WindowCalls selects a count window, else a non-zero
// Window a time window, else the library's default window.
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
	case b.WindowCalls != 0:
		c.Window, c.WindowSize = resilience.CountWindow, b.WindowCalls
	case b.Window != 0:
		c.Window, c.WindowDuration = resilience.TimeWindow, b.Window
	}
	return c
}

// breakerKeys maps the breaker section's keys to the
// resilience.BreakerConfig fields they set.
var breakerKeys = fieldKeys{
	"failure_rate":         "FailureRate",
	"slow_call_rate":       "SlowCallRate",
	"slow_call":            "SlowCall",
	"consecutive_failures": "ConsecutiveFailures",
	"min_calls":            "MinCalls",
	"window":               "WindowDuration",
	"window_calls":         "WindowSize",
	"window_buckets":       "WindowBuckets",
	"open_for":             "OpenFor",
	"open_backoff":         "OpenBackoff",
	"max_open_for":         "MaxOpenFor",
	"half_open_calls":      "HalfOpenCalls",
	"success_threshold":    "SuccessThreshold",
}

// normalize turns off the default rules and window that the section
// replaced, and lets a default max_open_for grow to the open_for the file
// set.
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
	if b.MaxOpenFor > 0 {
		raiseDefault(v, join(path, "max_open_for"), &b.MaxOpenFor, b.OpenFor)
	}
}

// validate leaves the ranges to resilience.BreakerConfig.ValidateSet, and
// reports each of its errors at the key that set the field. What it checks
// itself is the shape of the section: which window a key selects.
func (b *BreakerSpec) validate(v *validator, path string) {
	set := func(k string) bool { return v.has(join(path, k)) }
	reported := false
	if set("window") && set("window_calls") {
		v.errorf(join(path, "window_calls"), "cannot be combined with window (%s): window sets a time window, window_calls a count window", v.lineOf(join(path, "window")))
		reported = true
	}
	if set("window_buckets") && b.WindowCalls > 0 && !reported {
		v.errorf(join(path, "window_buckets"), "applies only to a time window (window), not to window_calls")
	}
	fields := breakerKeys.set(v, path)
	if b.WindowCalls != 0 { // the count window wins: window is not used
		fields = slices.DeleteFunc(fields, func(f string) bool { return f == breakerKeys["window"] })
	}
	v.fieldErrors(path, breakerKeys, b.ToResilience("").ValidateSet(fields...))
}
