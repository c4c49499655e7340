package slo

import (
	"context"
	"maps"
	"sort"
	"time"
)

// OpenAlert records a unless an alert of its SLO and severity is open.
func (s *MemoryStore) OpenAlert(_ context.Context, a Alert) (bool, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	for _, old := range s.alerts {
		if old.SLO == a.SLO && old.Severity == a.Severity && old.Active() {
			return false, nil
		}
	}
	a.End, a.EndBurnRates = time.Time{}, nil
	a.BurnRates = maps.Clone(a.BurnRates)
	if a.BurnRates == nil {
		a.BurnRates = map[string]float64{}
	}
	s.alerts = append(s.alerts, a)
	return true, nil
}

// ResolveAlert closes the open alert of slo and severity; an end before
// its start is its start.
func (s *MemoryStore) ResolveAlert(_ context.Context, slo string, severity Severity, end time.Time, burnRates map[string]float64) (bool, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	for i := range s.alerts {
		a := &s.alerts[i]
		if a.SLO == slo && a.Severity == severity && a.Active() {
			a.End = end
			if end.Before(a.Start) {
				a.End = a.Start
			}
			a.EndBurnRates = maps.Clone(burnRates)
			if a.EndBurnRates == nil {
				a.EndBurnRates = map[string]float64{}
			}
			return true, nil
		}
	}
	return false, nil
}

// Alerts lists alerts, ordered by start then SLO then severity.
func (s *MemoryStore) Alerts(_ context.Context, q AlertQuery) ([]Alert, error) {
	s.mu.Lock()
	var out []Alert
	for _, a := range s.alerts {
		switch {
		case q.Open && !a.Active():
		case !q.Open && !q.Since.IsZero() && !a.Active() && a.End.Before(q.Since):
		default:
			a.BurnRates, a.EndBurnRates = maps.Clone(a.BurnRates), maps.Clone(a.EndBurnRates)
			out = append(out, a)
		}
	}
	s.mu.Unlock()
	sort.SliceStable(out, func(i, j int) bool {
		if !out[i].Start.Equal(out[j].Start) {
			return out[i].Start.Before(out[j].Start)
		}
		if out[i].SLO != out[j].SLO {
			return out[i].SLO < out[j].SLO
		}
		return out[i].Severity < out[j].Severity
	})
	return out, nil
}

var _ AlertLog = (*MemoryStore)(nil)
