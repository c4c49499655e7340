package slo

import (
	"context"
	"fmt"
	"time"

	"github.com/flywheel-stack/flywheel/clock"
	"github.com/flywheel-stack/flywheel/config"
)

// StatusAt returns every SLO's numbers as an evaluation at at would
// compute them from the minutes of ms (windows end at the start of at's
// minute), alerts included, with the start of each active alert found by
// replaying the minutes. It is what `flywheel slo status` prints.
func StatusAt(ctx context.Context, set *Set, ms MinuteStore, at time.Time) ([]Status, error) {
	e := NewEvaluator(set, EvaluatorOptions{Clock: clock.NewFake(at), Store: ms, Logger: discardLogger()})
	if err := e.Start(ctx); err != nil {
		return nil, err
	}
	return e.Status(), nil
}

// Report is the daily history of every SLO over some days: what `flywheel
// slo report` prints.
type Report struct {
	// From and To bound the report: From is the start of its first day
	// (UTC), To the end of the last complete minute.
	From time.Time `json:"from"`
	To   time.Time `json:"to"`
	// SLOs are the SLOs, in file order.
	SLOs []SLOReport `json:"slos"`
}

// SLOReport is one SLO's days.
type SLOReport struct {
	// Name, Objective and Period are the SLO's.
	Name      string           `json:"name"`
	Objective float64          `json:"objective"`
	Period    config.SLOPeriod `json:"period"`
	// ErrorBudget is the share of events that may be bad.
	ErrorBudget float64 `json:"error_budget"`
	// PeriodEvents are the events of the period that ends at To: the
	// budget a day spends is its bad events over ErrorBudget × PeriodEvents.
	PeriodEvents uint64 `json:"period_events"`
	// Good, Bad and BudgetSpent sum the days.
	Good        uint64  `json:"good"`
	Bad         uint64  `json:"bad"`
	BudgetSpent float64 `json:"budget_spent"`
	// Days are the days, oldest first.
	Days []DayReport `json:"days"`
}

// DayReport is one SLO's day (UTC).
type DayReport struct {
	// Day is the date, 2006-01-02.
	Day string `json:"day"`
	// Good and Bad count the day's events.
	Good uint64 `json:"good"`
	Bad  uint64 `json:"bad"`
	// SLI is Good/(Good+Bad); 1 without events.
	SLI float64 `json:"sli"`
	// BudgetSpent is the share of the error budget of the period ending
	// at To that the day's bad events spent: Bad / (ErrorBudget ×
	// PeriodEvents). The days of that period add up to 1 − the budget
	// remaining.
	BudgetSpent float64 `json:"budget_spent"`
	// Alerts are the SLO's alerts that fired during the day.
	Alerts []Alert `json:"alerts"`
}

// BuildReport reports the days days ending with at's day (to the start of
// at's minute), from the minutes of ms and the alerts of log (nil: none).
func BuildReport(ctx context.Context, set *Set, ms MinuteStore, log AlertLog, at time.Time, days int) (*Report, error) {
	if days < 1 {
		return nil, fmt.Errorf("slo report: days must be >= 1, got %d", days)
	}
	to := at.UTC().Truncate(time.Minute)
	from := to.Truncate(24*time.Hour).AddDate(0, 0, 1-days)
	earliest := from
	for i := range set.Len() {
		if p := to.Add(-set.At(i).Period); p.Before(earliest) {
			earliest = p
		}
	}
	rows, err := ms.Minutes(ctx, earliest, to)
	if err != nil {
		return nil, fmt.Errorf("slo report: reading minutes: %w", err)
	}
	var alerts []Alert
	if log != nil {
		if alerts, err = log.Alerts(ctx, AlertQuery{Since: from}); err != nil {
			return nil, fmt.Errorf("slo report: reading alerts: %w", err)
		}
	}
	r := &Report{From: from, To: to}
	for i := range set.Len() {
		o := set.At(i)
		sr := SLOReport{Name: o.Name(), Objective: o.Config.Objective, Period: o.Config.Period, ErrorBudget: o.Budget,
			Days: make([]DayReport, days)}
		periodFrom := to.Add(-o.Period)
		for d := range sr.Days {
			sr.Days[d] = DayReport{Day: from.AddDate(0, 0, d).Format(time.DateOnly), SLI: 1, Alerts: []Alert{}}
		}
		for _, row := range rows {
			if row.SLO != sr.Name {
				continue
			}
			if !row.Minute.Before(periodFrom) {
				sr.PeriodEvents += row.Good + row.Bad
			}
			if row.Minute.Before(from) {
				continue
			}
			d := &sr.Days[int(row.Minute.Sub(from)/(24*time.Hour))]
			d.Good += row.Good
			d.Bad += row.Bad
		}
		for d := range sr.Days {
			day := &sr.Days[d]
			if n := day.Good + day.Bad; n > 0 {
				day.SLI = float64(day.Good) / float64(n)
			}
			if sr.PeriodEvents > 0 {
				day.BudgetSpent = float64(day.Bad) / (o.Budget * float64(sr.PeriodEvents))
			}
			sr.Good += day.Good
			sr.Bad += day.Bad
			sr.BudgetSpent += day.BudgetSpent
			dayFrom := from.AddDate(0, 0, d)
			dayTo := dayFrom.AddDate(0, 0, 1)
			for _, a := range alerts {
				if a.SLO == sr.Name && a.Start.Before(dayTo) && (a.Active() || !a.End.Before(dayFrom)) {
					day.Alerts = append(day.Alerts, a)
				}
			}
		}
		r.SLOs = append(r.SLOs, sr)
	}
	return r, nil
}
