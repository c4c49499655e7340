package config

import "time"

// DeepCheck configures a backend's deep health check: a real one-token
// generation at a long interval. It is off by default because every run
// costs a generation.
type DeepCheck struct {
	// Enabled adds the check, named backend-NAME-generation. It is
	// non-critical: a failed generation makes readiness warn, never fail.
	Enabled bool `yaml:"enabled"`
	// Interval is the time between two generations. Default 5m, or the
	// timeout when the file set a longer one.
	Interval time.Duration `yaml:"interval"`
	// Timeout bounds one generation. Default 30s, or the interval when
	// that is shorter; <= Interval.
	Timeout time.Duration `yaml:"timeout"`
}

// DefaultDeepCheck returns the deep check's defaults: off, every 5 minutes,
// 30 s timeout.
func DefaultDeepCheck() DeepCheck {
	return DeepCheck{Interval: 5 * time.Minute, Timeout: 30 * time.Second}
}

// normalize adapts the defaults to what the file set: the interval grows to
// the timeout, the timeout shrinks to the interval.
func (d *DeepCheck) normalize(v *validator, path string) {
	if !v.defaulted(join(path, "timeout")) {
		raiseDefault(v, join(path, "interval"), &d.Interval, d.Timeout)
	}
	lowerDefault(v, join(path, "timeout"), &d.Timeout, d.Interval)
}

func (d *DeepCheck) validate(v *validator, path string) {
	v.positive(join(path, "interval"), d.Interval)
	v.positive(join(path, "timeout"), d.Timeout)
	v.timeoutWithin(join(path, "timeout"), d.Timeout, d.Interval)
}
