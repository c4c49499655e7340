package slo

import (
	"context"
	"time"

	"github.com/flywheel-stack/flywheel/store"
)

// StoreAdapter is the MinuteStore and AlertLog of a store.SLOStore: the
// SQLite file or the PostgreSQL database of the store section.
type StoreAdapter struct {
	s store.SLOStore
}

// AdaptStore returns s as a MinuteStore and an AlertLog.
func AdaptStore(s store.SLOStore) *StoreAdapter { return &StoreAdapter{s: s} }

var (
	_ MinuteStore = (*StoreAdapter)(nil)
	_ AlertLog    = (*StoreAdapter)(nil)
)

// AddMinutes adds the counts to the stored sums.
func (a *StoreAdapter) AddMinutes(ctx context.Context, cs []MinuteCount) error {
	rows := make([]store.SLOMinute, len(cs))
	for i, c := range cs {
		rows[i] = store.SLOMinute(c)
	}
	return a.s.AddSLOMinutes(ctx, rows)
}

// Minutes returns the stored sums in [from, to).
func (a *StoreAdapter) Minutes(ctx context.Context, from, to time.Time) ([]MinuteCount, error) {
	rows, err := a.s.SLOMinutes(ctx, from, to)
	if err != nil {
		return nil, err
	}
	out := make([]MinuteCount, len(rows))
	for i, r := range rows {
		out[i] = MinuteCount(r)
	}
	return out, nil
}

// Prune deletes the minutes before before.
func (a *StoreAdapter) Prune(ctx context.Context, before time.Time) (int, error) {
	return a.s.PruneSLOMinutes(ctx, before)
}

// OpenAlert records that an alert started firing.
func (a *StoreAdapter) OpenAlert(ctx context.Context, al Alert) (bool, error) {
	return a.s.OpenSLOAlert(ctx, store.SLOAlert{SLO: al.SLO, Severity: string(al.Severity), Start: al.Start,
		BurnRates: al.BurnRates})
}

// ResolveAlert closes the open alert of slo and severity.
func (a *StoreAdapter) ResolveAlert(ctx context.Context, slo string, severity Severity, end time.Time, burnRates map[string]float64) (bool, error) {
	return a.s.ResolveSLOAlert(ctx, slo, string(severity), end, burnRates)
}

// Alerts lists the stored alerts.
func (a *StoreAdapter) Alerts(ctx context.Context, q AlertQuery) ([]Alert, error) {
	rows, err := a.s.SLOAlerts(ctx, store.SLOAlertQuery{Open: q.Open, Since: q.Since})
	if err != nil {
		return nil, err
	}
	out := make([]Alert, len(rows))
	for i, r := range rows {
		out[i] = Alert{SLO: r.SLO, Severity: Severity(r.Severity), Start: r.Start, End: r.End,
			BurnRates: r.BurnRates, EndBurnRates: r.EndBurnRates}
	}
	return out, nil
}
