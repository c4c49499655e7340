package store

import (
	"context"
	"sort"
	"time"
)

// SLOStore keeps what package slo needs to survive a restart and to be
// shared by replicas: per-minute counts of good and bad events of each SLO,
// and the history of its burn-rate alerts. Both drivers implement it.
type SLOStore interface {
	// AddSLOMinutes adds each count to what is stored for its SLO and
	// minute, in one transaction: replicas each add their own, and the
	// store holds the sums.
	AddSLOMinutes(ctx context.Context, counts []SLOMinute) error
	// SLOMinutes returns the stored sums of every SLO for the minutes in
	// [from, to), ordered by minute then SLO.
	SLOMinutes(ctx context.Context, from, to time.Time) ([]SLOMinute, error)
	// PruneSLOMinutes deletes the minutes before before and returns how
	// many rows it deleted.
	PruneSLOMinutes(ctx context.Context, before time.Time) (int, error)
	// OpenSLOAlert records that an alert started firing, unless an alert of
	// the same SLO and severity is open already (started and not
	// resolved). It reports whether it recorded a: of several replicas
	// that see the same alert start, exactly one opens it.
	OpenSLOAlert(ctx context.Context, a SLOAlert) (opened bool, err error)
	// ResolveSLOAlert closes the open alert of slo and severity at end,
	// with the burn rates at end. It reports whether an alert was open.
	ResolveSLOAlert(ctx context.Context, slo, severity string, end time.Time, burnRates map[string]float64) (resolved bool, err error)
	// SLOAlerts lists alerts, ordered by start then SLO then severity.
	SLOAlerts(ctx context.Context, q SLOAlertQuery) ([]SLOAlert, error)
}

// SLOMinute is the number of good and bad events of one SLO in one
// minute.
type SLOMinute struct {
	// SLO is the SLO's name.
	SLO string
	// Minute is the start of the minute; stores keep it to the second, and
	// return it in UTC.
	Minute time.Time
	// Good and Bad are the counts.
	Good, Bad uint64
}

// SLOAlert is one firing of an SLO's burn-rate alert.
type SLOAlert struct {
	// SLO is the SLO's name.
	SLO string `json:"slo"`
	// Severity is page or ticket.
	Severity string `json:"severity"`
	// Start is when the alert started firing.
	Start time.Time `json:"start"`
	// End is when it resolved; zero while it fires.
	End time.Time `json:"end,omitzero"`
	// BurnRates are the burn rates by window name ("5m", "1h") when it
	// started firing.
	BurnRates map[string]float64 `json:"burn_rates"`
	// EndBurnRates are the burn rates when it resolved; nil while it fires.
	EndBurnRates map[string]float64 `json:"end_burn_rates,omitempty"`
}

// Active reports whether the alert still fires.
func (a SLOAlert) Active() bool { return a.End.IsZero() }

// SLOAlertQuery selects alerts.
type SLOAlertQuery struct {
	// Open selects only the alerts that still fire.
	Open bool
	// Since, when set, selects the alerts that fired at some time at or
	// after it: those still open and those that ended at or after it.
	Since time.Time
}

// MergeSLOMinutes returns counts with one entry per SLO and minute (the
// minute truncated to the second), sums of the entries it merges, ordered
// by minute then SLO: one upsert per row, and replicas writing the same
// rows lock them in the same order.
func MergeSLOMinutes(counts []SLOMinute) []SLOMinute {
	type key struct {
		slo    string
		minute int64
	}
	sums := make(map[key]*SLOMinute, len(counts))
	out := make([]SLOMinute, 0, len(counts))
	for _, c := range counts {
		k := key{c.SLO, c.Minute.Unix()}
		if s, ok := sums[k]; ok {
			s.Good += c.Good
			s.Bad += c.Bad
			continue
		}
		out = append(out, SLOMinute{SLO: c.SLO, Minute: time.Unix(k.minute, 0).UTC(), Good: c.Good, Bad: c.Bad})
		sums[k] = &out[len(out)-1]
	}
	// sums points into out: it was built with enough capacity, so appends
	// never moved it; sorting after the merge is safe.
	sort.Slice(out, func(i, j int) bool {
		if !out[i].Minute.Equal(out[j].Minute) {
			return out[i].Minute.Before(out[j].Minute)
		}
		return out[i].SLO < out[j].SLO
	})
	return out
}
