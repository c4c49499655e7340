package config

import (
	"strings"
	"time"

	"github.com/flywheel-stack/flywheel/resilience"
)

// RetrySpec is a backend's retry section: a resilience preset and optional
// overrides applied on top of it. A zero override keeps the preset's value.
type RetrySpec struct {
	// Preset names a resilience preset: database, external_api,
	// internal_service, vector_db or llm_inference. Default llm_inference.
	Preset string `yaml:"preset"`
	// MaxAttempts overrides the total number of attempts, the first
	// included; >= 1.
	MaxAttempts int `yaml:"max_attempts"`
	// BaseDelay overrides the backoff before the second attempt; > 0.
	BaseDelay time.Duration `yaml:"base_delay"`
	// MaxDelay overrides the cap on every delay; >= BaseDelay.
	MaxDelay time.Duration `yaml:"max_delay"`
	// Multiplier overrides how the backoff grows per attempt; >= 1.
	Multiplier float64 `yaml:"multiplier"`
	// Jitter overrides how delays are randomised: full, equal,
	// decorrelated or none.
	Jitter string `yaml:"jitter"`
	// MaxElapsed bounds the time spent across all attempts; 0 keeps the
	// preset's (no bound beyond the caller's context).
	MaxElapsed time.Duration `yaml:"max_elapsed"`
}

// DefaultRetry returns the retry section of a backend without one: the
// llm_inference preset, no overrides.
func DefaultRetry() RetrySpec {
	return RetrySpec{Preset: DefaultRetryPreset}
}

// ToResilience returns the preset with the overrides applied, named name
// (an empty name keeps the preset's). It fails only for an unknown preset
// or jitter, which Load has already rejected.
func (r RetrySpec) ToResilience(name string) (resilience.RetryConfig, error) {
	preset := r.Preset
	if preset == "" {
		preset = DefaultRetryPreset
	}
	c, err := resilience.Preset(preset)
	if err != nil {
		return resilience.RetryConfig{}, err
	}
	if name != "" {
		c.Name = name
	}
	if r.MaxAttempts != 0 {
		c.MaxAttempts = r.MaxAttempts
	}
	if r.BaseDelay != 0 {
		c.BaseDelay = r.BaseDelay
	}
	if r.MaxDelay != 0 {
		c.MaxDelay = r.MaxDelay
	}
	if r.Multiplier != 0 {
		c.Multiplier = r.Multiplier
	}
	if r.Jitter != "" {
		j, err := resilience.ParseJitter(r.Jitter)
		if err != nil {
			return resilience.RetryConfig{}, err
		}
		c.Jitter = j
	}
	if r.MaxElapsed != 0 {
		c.MaxElapsed = r.MaxElapsed
	}
	return c, nil
}

func (r *RetrySpec) validate(v *validator, path string) {
	set := func(k string) bool { return v.has(join(path, k)) }
	reported := map[string]bool{}
	fail := func(k, format string, args ...any) {
		reported[k] = true
		v.errorf(join(path, k), format, args...)
	}
	if r.Preset == "" {
		fail("preset", "required (one of %s)", orList(resilience.PresetNames()))
	} else if _, err := resilience.Preset(r.Preset); err != nil {
		fail("preset", "%s", err.Error())
		return // the overrides cannot be checked against an unknown preset
	}
	if r.MaxAttempts < 0 || (set("max_attempts") && r.MaxAttempts < 1) {
		fail("max_attempts", "must be >= 1, got %d", r.MaxAttempts)
	}
	for _, d := range []struct {
		key string
		val time.Duration
	}{{"base_delay", r.BaseDelay}, {"max_delay", r.MaxDelay}} {
		if d.val < 0 || (set(d.key) && d.val == 0) {
			fail(d.key, "must be > 0, got %s", d.val)
		}
	}
	if r.MaxElapsed < 0 {
		fail("max_elapsed", "must be >= 0, got %s", r.MaxElapsed)
	}
	if (set("multiplier") || r.Multiplier != 0) && r.Multiplier < 1 {
		fail("multiplier", "must be >= 1, got %g", r.Multiplier)
	}
	if _, err := resilience.ParseJitter(r.Jitter); err != nil {
		fail("jitter", "%s", err.Error())
	}
	c, err := r.ToResilience("")
	if err != nil {
		return
	}
	if c.MaxDelay > 0 && c.BaseDelay > c.MaxDelay && !reported["base_delay"] && !reported["max_delay"] {
		if set("max_delay") {
			fail("max_delay", "must be >= base_delay (%s), got %s", c.BaseDelay, c.MaxDelay)
		} else {
			fail("base_delay", "must be <= max_delay (%s, from preset %s), got %s", c.MaxDelay, r.Preset, c.BaseDelay)
			reported["max_delay"] = true
		}
	}
	// Whatever the library still rejects, at the key it names.
	for _, err := range unjoin(c.Validate()) {
		key, msg, ok := strings.Cut(err.Error(), ": ")
		switch {
		case !ok:
			v.errorf(path, "%s", err.Error())
		case !reported[key]:
			fail(key, "%s", msg)
		}
	}
}
