package slo

import (
	"context"
	"log/slog"
	"time"
)

// Alert is one firing of an SLO's page or ticket alert, as the alert log
// keeps it.
type Alert struct {
	// SLO is the SLO's name.
	SLO string `json:"slo"`
	// Severity is page or ticket.
	Severity Severity `json:"severity"`
	// Start is when the alert started firing (the evaluation that saw it
	// hold, or the first minute of the run found at a restart).
	Start time.Time `json:"start"`
	// End is when it resolved; zero while it fires.
	End time.Time `json:"end,omitzero"`
	// BurnRates are the SLO's burn rates by window name ("5m", "1h") when
	// the alert started.
	BurnRates map[string]float64 `json:"burn_rates"`
	// EndBurnRates are the burn rates when it resolved; nil while it fires.
	EndBurnRates map[string]float64 `json:"end_burn_rates,omitempty"`
}

// Active reports whether the alert still fires.
func (a Alert) Active() bool { return a.End.IsZero() }

// AlertQuery selects alerts from an AlertLog.
type AlertQuery struct {
	// Open selects only the alerts that still fire.
	Open bool
	// Since, when set, selects the alerts that fired at some time at or
	// after it: those still open and those that ended at or after it.
	Since time.Time
}

// AlertLog keeps the history of alerts: when each started and ended, its
// severity and burn rates. It is how a restarted process knows which
// alerts were already announced, and how replicas sharing a store
// announce each alert once. The store package implements it on SQLite
// and PostgreSQL (AdaptStore); MemoryStore keeps one in memory.
type AlertLog interface {
	// OpenAlert records that a started firing, unless an alert of the same
	// SLO and severity is open. It reports whether it recorded a; of
	// several replicas that see the same alert start, exactly one does.
	OpenAlert(ctx context.Context, a Alert) (opened bool, err error)
	// ResolveAlert closes the open alert of slo and severity at end, with
	// the burn rates at end. It reports whether one was open.
	ResolveAlert(ctx context.Context, slo string, severity Severity, end time.Time, burnRates map[string]float64) (resolved bool, err error)
	// Alerts lists alerts, ordered by start then SLO then severity.
	Alerts(ctx context.Context, q AlertQuery) ([]Alert, error)
}

// burnRateMap names burn rates (in Windows order) by their window.
func burnRateMap(rates []float64) map[string]float64 {
	m := make(map[string]float64, len(rates))
	for i, r := range rates {
		if i < len(Windows) {
			m[Windows[i].Name] = r
		}
	}
	return m
}

// discardLogger logs nothing.
func discardLogger() *slog.Logger { return slog.New(slog.DiscardHandler) }
