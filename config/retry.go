package config

import (
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
// (an empty name keeps the preset's). A delay left to the preset adapts to
// the one overridden: max_delay grows to base_delay, base_delay shrinks to
// max_delay. It fails only for an unknown preset or jitter, which Load has
// already rejected.
func (r RetrySpec) ToResilience(name string) (resilience.RetryConfig, error) {
	return r.overlay(name, func(string) bool { return false })
}

// retryKeys maps the retry section's keys to the resilience.RetryConfig
// fields they set.
var retryKeys = fieldKeys{
	"max_attempts": "MaxAttempts",
	"base_delay":   "BaseDelay",
	"max_delay":    "MaxDelay",
	"multiplier":   "Multiplier",
	"jitter":       "Jitter",
	"max_elapsed":  "MaxElapsed",
}

// overlay applies the overrides to the preset: each one that is not zero,
// or that set reports as set (a file's "max_attempts: 0" is an override to
// reject, not a request for the preset's).
func (r RetrySpec) overlay(name string, set func(key string) bool) (resilience.RetryConfig, error) {
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
	over := func(key string, zero bool) bool { return !zero || set(key) }
	if over("max_attempts", r.MaxAttempts == 0) {
		c.MaxAttempts = r.MaxAttempts
	}
	baseSet, maxSet := over("base_delay", r.BaseDelay == 0), over("max_delay", r.MaxDelay == 0)
	if baseSet {
		c.BaseDelay = r.BaseDelay
	}
	if maxSet {
		c.MaxDelay = r.MaxDelay
	}
	switch {
	case baseSet && !maxSet:
		c.MaxDelay = max(c.MaxDelay, c.BaseDelay)
	case maxSet && !baseSet && c.MaxDelay > 0:
		c.BaseDelay = min(c.BaseDelay, c.MaxDelay)
	}
	if over("multiplier", r.Multiplier == 0) {
		c.Multiplier = r.Multiplier
	}
	if r.Jitter != "" {
		j, err := resilience.ParseJitter(r.Jitter)
		if err != nil {
			return resilience.RetryConfig{}, err
		}
		c.Jitter = j
	}
	if over("max_elapsed", r.MaxElapsed == 0) {
		c.MaxElapsed = r.MaxElapsed
	}
	return c, nil
}

// validate checks what the file names (the preset, the jitter) and leaves
// the ranges to resilience.RetryConfig.ValidateSet, reporting each of its
// errors at the key that set the field.
func (r *RetrySpec) validate(v *validator, path string) {
	if r.Preset == "" {
		v.errorf(join(path, "preset"), "required (one of %s)", orList(resilience.PresetNames()))
		return
	}
	if _, err := resilience.Preset(r.Preset); err != nil {
		v.errorf(join(path, "preset"), "%s", err.Error())
		return // the overrides cannot be checked against an unknown preset
	}
	spec := *r
	if _, err := resilience.ParseJitter(r.Jitter); err != nil {
		v.errorf(join(path, "jitter"), "%s", err.Error())
		spec.Jitter = "" // check the other keys all the same
	}
	c, err := spec.overlay("", func(k string) bool { return v.has(join(path, k)) })
	if err != nil {
		v.errorf(path, "%s", err.Error())
		return
	}
	v.fieldErrors(path, retryKeys, c.ValidateSet(retryKeys.set(v, path)...))
}
