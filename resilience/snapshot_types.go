package resilience

import "time"

// State is a breaker state.
type State uint8

const (
	// StateClosed lets every call through and counts outcomes.
	StateClosed State = iota
	// StateOpen rejects every call until its open-until instant.
	StateOpen
	// StateHalfOpen admits a bounded number of trial calls.
	StateHalfOpen
	// StateForcedOpen rejects every call until an operator resets it.
	StateForcedOpen
	// StateDisabled lets every call through and counts nothing.
	StateDisabled
)

// States lists every state, in metric order.
var States = [...]State{StateClosed, StateOpen, StateHalfOpen, StateForcedOpen, StateDisabled}

// String returns the state's name as metrics and the admin API spell it.
func (s State) String() string {
	switch s {
	case StateClosed:
		return "closed"
	case StateOpen:
		return "open"
	case StateHalfOpen:
		return "half_open"
	case StateForcedOpen:
		return "forced_open"
	case StateDisabled:
		return "disabled"
	}
	return "unknown"
}

// Counts are the breaker's window counts at one instant.
type Counts struct {
	// Calls is the number of counted calls in the window.
	Calls int64
	// Failures is the number of failed calls in the window.
	Failures int64
	// Slow is the number of slow calls in the window.
	Slow int64
	// ConsecutiveFailures is the current run of failures.
	ConsecutiveFailures int64
	// ConsecutiveSuccesses is the current run of successes (half-open
	// trials included).
	ConsecutiveSuccesses int64
}

// Transition describes one state change.
type Transition struct {
	// Breaker is the breaker's name.
	Breaker string
	// From and To are the states before and after.
	From, To State
	// Counts are the counts as they were just before the transition.
	Counts Counts
	// Reason says why, e.g. "failure rate 0.60 >= 0.50 over 10 calls".
	Reason string
	// At is when the transition happened.
	At time.Time
	// OpenUntil is the instant an open breaker lets trials through.
	OpenUntil time.Time
}

// Totals are the breaker's lifetime counters.
type Totals struct {
	Successes, Failures, Ignored, Rejected uint64
	// Transitions counts transitions by destination state.
	Transitions [len(States)]uint64
}

// Snapshot is a breaker's state at one instant, for the admin API, health
// checks and metrics.
type Snapshot struct {
	Name      string
	State     State
	Counts    Counts
	Totals    Totals
	OpenUntil time.Time
	// InFlightTrials is the number of half-open permits held.
	InFlightTrials int64
}
