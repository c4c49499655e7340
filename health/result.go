package health

import "time"

// CheckResult is the cached state of one check: what probes, reports and
// metrics read.
type CheckResult struct {
	// Name, Kind, ComponentType and Critical describe the check.
	Name          string
	Kind          Kind
	ComponentType string
	Critical      bool
	// Weight is the check's weight in the score (negative: left out).
	Weight float64
	// Status is the reported status after debouncing; empty until the
	// first run completes (and then counted as a fail).
	Status Status
	// Observed is the status of the last run, before debouncing.
	Observed Status
	// Output is the redacted output of the last run.
	Output string
	// Time is when the last run finished, on the checker's clock.
	Time time.Time
	// Duration is how long the last run took, on the checker's clock.
	Duration time.Duration
	// ConsecutiveFailures counts the failed runs since the last non-failing
	// one.
	ConsecutiveFailures int
	// FailingSince is when the current run of failures began (zero when the
	// last run did not fail).
	FailingSince time.Time
	// EverPassed reports whether any run has passed.
	EverPassed bool
	// Runs counts the completed runs.
	Runs int
	// Measurements are the redacted measurements of the last run.
	Measurements []Measurement
}

// checked reports whether the check has completed a run.
func (r *CheckResult) checked() bool { return r.Runs > 0 }

// effective is the status the check contributes to readiness or liveness: a
// failing non-critical check only warns.
func (r *CheckResult) effective() Status {
	s := r.Status.orFail()
	if s == StatusFail && !r.Critical {
		return StatusWarn
	}
	return s
}

// pendingResult is the cached state of a check that has not run yet.
func pendingResult(d *checkDef) CheckResult {
	return CheckResult{
		Name:          d.Name,
		Kind:          d.Kind,
		ComponentType: d.ComponentType,
		Critical:      !d.NonCritical,
		Weight:        d.weight,
		Output:        "not yet checked",
	}
}
