package resilience

import (
	"fmt"
	"time"

	"github.com/flywheel-stack/flywheel/clock"
)

// Jitter selects how a backoff delay is randomised.
type Jitter int

const (
	// JitterFull picks a delay uniformly in [0, backoff] (the AWS "full
	// jitter"). It is the default.
	JitterFull Jitter = iota
	// JitterNone uses the exponential backoff as is.
	JitterNone
	// JitterEqual picks a delay in [backoff/2, backoff].
	JitterEqual
	// JitterDecorrelated picks a delay in [base, 3 × previous delay], capped.
	JitterDecorrelated
)

// String returns the jitter's config name.
func (j Jitter) String() string {
	switch j {
	case JitterNone:
		return "none"
	case JitterEqual:
		return "equal"
	case JitterDecorrelated:
		return "decorrelated"
	default:
		return "full"
	}
}

// ParseJitter maps a config name ("full", "equal", "decorrelated", "none") to
// a Jitter.
func ParseJitter(s string) (Jitter, error) {
	switch s {
	case "", "full":
		return JitterFull, nil
	case "none":
		return JitterNone, nil
	case "equal":
		return JitterEqual, nil
	case "decorrelated":
		return JitterDecorrelated, nil
	}
	return 0, fmt.Errorf("unknown jitter %q (want full, equal, decorrelated or none)", s)
}

// RetryConfig configures retries. Presets (Database, ExternalAPI,
// InternalService, VectorDB, LLMInference) are plain values a caller can
// adjust before use.
type RetryConfig struct {
	// Name identifies the policy in metrics.
	Name string
	// MaxAttempts is the total number of attempts, the first included.
	// 1 means no retry. Default 3.
	MaxAttempts int
	// BaseDelay is the backoff before the second attempt. Default 500 ms,
	// or MaxDelay when that is shorter.
	BaseDelay time.Duration
	// MaxDelay caps every delay, Retry-After included. Default 30 s, or
	// BaseDelay when that is longer.
	MaxDelay time.Duration
	// Multiplier grows the backoff per attempt. Default 2.
	Multiplier float64
	// Jitter randomises delays. Default JitterFull.
	Jitter Jitter
	// MaxElapsed bounds the time spent across all attempts and delays;
	// no retry starts after it. 0 means no bound beyond the context.
	MaxElapsed time.Duration
	// RetryIf decides whether an error is worth another attempt. nil
	// retries every error that is not permanent. Permanent errors, a done
	// caller context and a breaker rejection are handled before RetryIf.
	RetryIf func(err error) bool
	// Budget, if set, is shared by every call of the policy (or of many
	// policies) and refuses retries beyond its ratio.
	Budget *Budget
	// HoldBreaker, when true, holds the call's breaker open until a
	// Retry-After instant carried by the error.
	HoldBreaker bool
	// Clock is the time source for delays. nil means the real clock.
	Clock clock.Clock
	// Rand returns a float in [0,1) for jitter. nil uses math/rand/v2.
	Rand func() float64
}

// The retry defaults, for the fields left at zero.
const (
	defaultMaxAttempts = 3
	defaultBaseDelay   = 500 * time.Millisecond
	defaultMaxDelay    = 30 * time.Second
	defaultMultiplier  = 2
)

// withDefaults returns c with zero fields filled in. A default adapts to the
// fields that are set: MaxDelay defaults to max(30s, BaseDelay), BaseDelay
// to min(500ms, MaxDelay).
func (c RetryConfig) withDefaults() RetryConfig {
	if c.MaxAttempts <= 0 {
		c.MaxAttempts = defaultMaxAttempts
	}
	if c.MaxDelay <= 0 {
		c.MaxDelay = max(defaultMaxDelay, c.BaseDelay)
	}
	if c.BaseDelay <= 0 {
		c.BaseDelay = min(defaultBaseDelay, c.MaxDelay)
	}
	if c.MaxDelay < c.BaseDelay {
		c.MaxDelay = c.BaseDelay
	}
	if c.Multiplier < 1 {
		c.Multiplier = defaultMultiplier
	}
	c.Clock = clock.OrReal(c.Clock)
	return c
}

// Validate reports every setting that is out of range, each as a
// *FieldError naming its field. A zero field is valid: it takes its default,
// which adapts to the fields that are set, so only two fields the caller set
// can conflict (MaxDelay below BaseDelay).
func (c RetryConfig) Validate() error { return c.ValidateSet() }

// ValidateSet is Validate for a caller that knows which fields were set on
// purpose, such as a configuration file: a field named in set (by its Go
// name, like "MaxAttempts") is out of range at zero too, where zero would
// mean its default.
func (c RetryConfig) ValidateSet(set ...string) error {
	v := &fieldChecker{set: set}
	v.count("MaxAttempts", c.MaxAttempts)
	v.duration("BaseDelay", c.BaseDelay)
	v.duration("MaxDelay", c.MaxDelay)
	v.factor("Multiplier", c.Multiplier)
	v.durationOrOff("MaxElapsed", c.MaxElapsed)
	if c.Jitter < JitterFull || c.Jitter > JitterDecorrelated {
		v.fail("Jitter", "must be JitterFull, JitterNone, JitterEqual or JitterDecorrelated, got %d", int(c.Jitter))
	}
	if c.BaseDelay > 0 && c.MaxDelay > 0 && c.MaxDelay < c.BaseDelay {
		v.failPair("MaxDelay", "BaseDelay", "must be >= %s (%s), got %s", otherMark, c.BaseDelay, c.MaxDelay)
	}
	return v.result()
}

// Database is the preset for database clients: 5 attempts, 0.5 s base delay,
// 30 s cap.
func Database() RetryConfig {
	return RetryConfig{Name: "database", MaxAttempts: 5, BaseDelay: 500 * time.Millisecond, MaxDelay: 30 * time.Second, Multiplier: 2}
}

// ExternalAPI is the preset for remote APIs: 3 attempts, 1 s base, 60 s cap;
// it retries connection errors, timeouts, 429, 502, 503 and 504, and holds
// the breaker open for a Retry-After.
func ExternalAPI() RetryConfig {
	return RetryConfig{Name: "external_api", MaxAttempts: 3, BaseDelay: time.Second, MaxDelay: time.Minute, Multiplier: 2,
		RetryIf: IsTransient, HoldBreaker: true}
}

// InternalService is the preset for services on the same network: 3
// attempts, 0.5 s base, 10 s cap.
func InternalService() RetryConfig {
	return RetryConfig{Name: "internal_service", MaxAttempts: 3, BaseDelay: 500 * time.Millisecond, MaxDelay: 10 * time.Second, Multiplier: 2}
}

// VectorDB is the preset for vector databases: 3 attempts, 1 s base, 30 s
// cap.
func VectorDB() RetryConfig {
	return RetryConfig{Name: "vector_db", MaxAttempts: 3, BaseDelay: time.Second, MaxDelay: 30 * time.Second, Multiplier: 2}
}

// LLMInference is the preset for inference backends: 2 attempts, 1 s base,
// and only for errors raised before the first byte of a response was read
// (an error wrapped with AfterFirstByte is never retried).
func LLMInference() RetryConfig {
	return RetryConfig{Name: "llm_inference", MaxAttempts: 2, BaseDelay: time.Second, MaxDelay: 10 * time.Second, Multiplier: 2,
		RetryIf: func(err error) bool { return !IsAfterFirstByte(err) && IsTransient(err) }, HoldBreaker: true}
}

// Preset returns the preset with the given config name: database,
// external_api, internal_service, vector_db or llm_inference.
func Preset(name string) (RetryConfig, error) {
	switch name {
	case "database":
		return Database(), nil
	case "external_api":
		return ExternalAPI(), nil
	case "internal_service":
		return InternalService(), nil
	case "vector_db":
		return VectorDB(), nil
	case "llm_inference":
		return LLMInference(), nil
	}
	return RetryConfig{}, fmt.Errorf("unknown preset %q (want database, external_api, internal_service, vector_db or llm_inference)", name)
}

// PresetNames lists the names Preset accepts.
func PresetNames() []string {
	return []string{"database", "external_api", "internal_service", "vector_db", "llm_inference"}
}
