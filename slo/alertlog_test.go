package slo

import (
	"context"
	"reflect"
	"testing"
	"time"
)

// TestAlertLogs runs the same history of alerts through each AlertLog:
// at most one open alert per SLO and severity, resolutions, and queries.
func TestAlertLogs(t *testing.T) {
	t.Parallel()
	logs := map[string]func(t *testing.T) AlertLog{
		"memory":   func(*testing.T) AlertLog { return NewMemoryStore() },
		"sqlite":   func(t *testing.T) AlertLog { return sqliteAdapter(t) },
		"postgres": func(t *testing.T) AlertLog { return postgresAdapter(t) },
	}
	for name, open := range logs {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			testAlertLog(t, open(t))
		})
	}
}

func testAlertLog(t *testing.T, l AlertLog) {
	ctx := context.Background()
	at := func(m int) time.Time { return t0.Add(time.Duration(m) * time.Minute) }
	rates := map[string]float64{"5m": 30, "1h": 15.5}
	steps := []struct {
		open    bool
		slo     string
		sev     Severity
		minute  int
		want    bool
		comment string
	}{
		{true, "a", Page, 10, true, "first firing"},
		{true, "a", Page, 12, false, "already open"},
		{true, "a", Ticket, 15, true, "the other severity"},
		{false, "a", Page, 20, true, "resolution"},
		{false, "a", Page, 21, false, "nothing open"},
		{true, "a", Page, 30, true, "fires again"},
		{false, "b", Ticket, 30, false, "unknown SLO"},
	}
	for _, s := range steps {
		var got bool
		var err error
		if s.open {
			got, err = l.OpenAlert(ctx, Alert{SLO: s.slo, Severity: s.sev, Start: at(s.minute), BurnRates: rates})
		} else {
			got, err = l.ResolveAlert(ctx, s.slo, s.sev, at(s.minute), map[string]float64{"5m": 0.5})
		}
		if err != nil || got != s.want {
			t.Fatalf("%s (%s %s at %d): %v, %v; want %v", s.comment, s.slo, s.sev, s.minute, got, err, s.want)
		}
	}
	want := []Alert{
		{SLO: "a", Severity: Page, Start: at(10), End: at(20), BurnRates: rates, EndBurnRates: map[string]float64{"5m": 0.5}},
		{SLO: "a", Severity: Ticket, Start: at(15), BurnRates: rates},
		{SLO: "a", Severity: Page, Start: at(30), BurnRates: rates},
	}
	for _, q := range []struct {
		q    AlertQuery
		want []Alert
	}{
		{AlertQuery{}, want},
		{AlertQuery{Open: true}, want[1:]},
		{AlertQuery{Since: at(20)}, want},
		{AlertQuery{Since: at(21)}, want[1:]},
	} {
		got, err := l.Alerts(ctx, q.q)
		if err != nil {
			t.Fatal(err)
		}
		if !reflect.DeepEqual(got, q.want) {
			t.Errorf("Alerts(%+v):\n got %+v\nwant %+v", q.q, got, q.want)
		}
	}
}
