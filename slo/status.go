package slo

import (
	"time"

	"github.com/flywheel-stack/flywheel/config"
)

// Status is one SLO's numbers at an evaluation.
type Status struct {
	// Name, Objective and Period are the SLO's.
	Name      string           `json:"name"`
	Objective float64          `json:"objective"`
	Period    config.SLOPeriod `json:"period"`
	// At is the end of the windows: the start of the current minute, which
	// is not counted yet.
	At time.Time `json:"at"`
	// Good and Bad count the events of the period.
	Good uint64 `json:"good"`
	Bad  uint64 `json:"bad"`
	// SLI is Good/(Good+Bad) over the period; 1 without events.
	SLI float64 `json:"sli"`
	// BudgetRemaining is the share of the period's error budget not spent:
	// 1 - (bad ratio)/(error budget). Negative once overspent.
	BudgetRemaining float64 `json:"error_budget_remaining"`
	// BurnRates are the burn rates over Windows, in order: the bad ratio
	// over the window divided by the error budget; 0 without events.
	BurnRates []float64 `json:"burn_rates"`
	// WindowEvents are the events in each of Windows.
	WindowEvents []uint64 `json:"window_events"`
	// TimeToExhaustion is how long the remaining budget lasts at the
	// current (5m) burn rate: 0 when spent, -1 when nothing burns.
	TimeToExhaustion time.Duration `json:"time_to_exhaustion"`
	// Alerts are the page and the ticket alert.
	Alerts []AlertStatus `json:"alerts"`
}

// BurnRate returns the burn rate over the window named name ("1h").
func (s Status) BurnRate(name string) float64 { return s.BurnRates[windowIndex(name)] }

// AlertStatus is the state of one severity's alert of an SLO.
type AlertStatus struct {
	// Severity is page or ticket.
	Severity Severity `json:"severity"`
	// Active tells whether the alert fires.
	Active bool `json:"active"`
	// Since is when it started firing; zero when not active.
	Since time.Time `json:"since,omitzero"`
	// Quick and Slow tell which of its two rows hold now.
	Quick bool `json:"quick"`
	Slow  bool `json:"slow"`
}

// Transition is an alert starting or stopping to fire.
type Transition struct {
	// SLO is the SLO's name.
	SLO string
	// Severity is page or ticket.
	Severity Severity
	// Firing is true when the alert starts, false when it resolves.
	Firing bool
	// Since is when the alert started firing.
	Since time.Time
	// At is the evaluation that saw the change: Since when firing, the end
	// when resolving.
	At time.Time
	// BurnRates are the SLO's burn rates over Windows at At.
	BurnRates []float64
	// OnPage is the SLO's action on a page alert ("" or demote).
	OnPage config.OnPage
	// Backend is the SLO's backend selector (what demote acts on).
	Backend string
}
