package health

import "time"

// debounce folds the raw result of a run into the previous cached state and
// returns the new state. A failing run is reported as failed only once the
// check has failed threshold times in a row, or has been failing for
// failAfter; until then the check keeps the status it had before the
// failures began (fail when it never had one). Warn and pass take effect at
// once and end a run of failures.
func debounce(prev CheckResult, raw Status, now time.Time, threshold int, failAfter time.Duration) CheckResult {
	next := prev
	next.Observed = raw
	if raw != StatusFail {
		next.Status = raw
		next.ConsecutiveFailures = 0
		next.FailingSince = time.Time{}
		if raw == StatusPass {
			next.EverPassed = true
		}
		return next
	}
	next.ConsecutiveFailures++
	if next.FailingSince.IsZero() {
		next.FailingSince = now
	}
	tripped := (threshold > 0 && next.ConsecutiveFailures >= threshold) ||
		(failAfter > 0 && now.Sub(next.FailingSince) >= failAfter)
	if tripped || !prev.Status.OK() {
		next.Status = StatusFail
	}
	return next
}
