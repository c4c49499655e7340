package postgres

import (
	"context"
	"encoding/json"
	"fmt"
	"math"
	"time"

	"github.com/flywheel-stack/flywheel/store"
	"github.com/jackc/pgx/v5"
)

var _ store.SLOStore = (*Store)(nil)

// AddSLOMinutes adds the counts to the stored sums in one statement. The
// rows are merged and sorted first, so that replicas adding to the same
// minutes lock them in the same order and never deadlock.
func (s *Store) AddSLOMinutes(ctx context.Context, counts []store.SLOMinute) error {
	counts = store.MergeSLOMinutes(counts)
	if len(counts) == 0 {
		return nil
	}
	if err := s.ready(ctx); err != nil {
		return err
	}
	minutes := make([]time.Time, len(counts))
	slos := make([]string, len(counts))
	good := make([]int64, len(counts))
	bad := make([]int64, len(counts))
	for i, c := range counts {
		minutes[i], slos[i], good[i], bad[i] = c.Minute, c.SLO, clampInt64(c.Good), clampInt64(c.Bad)
	}
	_, err := s.pool.Exec(ctx, `INSERT INTO slo_minutes (minute, slo, good, bad)
		SELECT * FROM unnest($1::timestamptz[], $2::text[], $3::bigint[], $4::bigint[])
		ON CONFLICT (minute, slo) DO UPDATE SET good = slo_minutes.good + excluded.good, bad = slo_minutes.bad + excluded.bad`,
		minutes, slos, good, bad)
	if err != nil {
		return s.wrap("slo minutes", err)
	}
	return nil
}

// SLOMinutes returns the sums in [from, to).
func (s *Store) SLOMinutes(ctx context.Context, from, to time.Time) ([]store.SLOMinute, error) {
	if err := s.ready(ctx); err != nil {
		return nil, err
	}
	rows, err := s.pool.Query(ctx, `SELECT minute, slo, good, bad FROM slo_minutes
		WHERE minute >= $1 AND minute < $2 ORDER BY minute, slo`, from, to)
	if err != nil {
		return nil, s.wrap("slo minutes", err)
	}
	out, err := pgx.CollectRows(rows, func(row pgx.CollectableRow) (store.SLOMinute, error) {
		var m store.SLOMinute
		var good, bad int64
		err := row.Scan(&m.Minute, &m.SLO, &good, &bad)
		m.Minute, m.Good, m.Bad = m.Minute.UTC(), uint64(max(good, 0)), uint64(max(bad, 0))
		return m, err
	})
	if err != nil {
		return nil, s.wrap("slo minutes", err)
	}
	return out, nil
}

// PruneSLOMinutes deletes the minutes before before.
func (s *Store) PruneSLOMinutes(ctx context.Context, before time.Time) (int, error) {
	if err := s.ready(ctx); err != nil {
		return 0, err
	}
	tag, err := s.pool.Exec(ctx, `DELETE FROM slo_minutes WHERE minute < $1`, before)
	if err != nil {
		return 0, s.wrap("prune slo minutes", err)
	}
	return int(tag.RowsAffected()), nil
}

// OpenSLOAlert records a, unless an alert of its SLO and severity is open.
func (s *Store) OpenSLOAlert(ctx context.Context, a store.SLOAlert) (bool, error) {
	if err := s.ready(ctx); err != nil {
		return false, err
	}
	rates, err := json.Marshal(burnRatesOrEmpty(a.BurnRates))
	if err != nil {
		return false, fmt.Errorf("%s: slo alert: %w", s.location, err)
	}
	tag, err := s.pool.Exec(ctx, `INSERT INTO slo_alerts (slo, severity, start_time, burn_rates)
		VALUES ($1, $2, $3, $4) ON CONFLICT (slo, severity) WHERE end_time IS NULL DO NOTHING`,
		a.SLO, a.Severity, a.Start, string(rates))
	if err != nil {
		return false, s.wrap("slo alert", err)
	}
	return tag.RowsAffected() == 1, nil
}

// ResolveSLOAlert closes the open alert of slo and severity.
func (s *Store) ResolveSLOAlert(ctx context.Context, slo, severity string, end time.Time, burnRates map[string]float64) (bool, error) {
	if err := s.ready(ctx); err != nil {
		return false, err
	}
	rates, err := json.Marshal(burnRatesOrEmpty(burnRates))
	if err != nil {
		return false, fmt.Errorf("%s: slo alert: %w", s.location, err)
	}
	tag, err := s.pool.Exec(ctx, `UPDATE slo_alerts SET end_time = greatest($1, start_time), end_burn_rates = $2
		WHERE slo = $3 AND severity = $4 AND end_time IS NULL`, end, string(rates), slo, severity)
	if err != nil {
		return false, s.wrap("slo alert", err)
	}
	return tag.RowsAffected() == 1, nil
}

// SLOAlerts lists alerts.
func (s *Store) SLOAlerts(ctx context.Context, q store.SLOAlertQuery) ([]store.SLOAlert, error) {
	if err := s.ready(ctx); err != nil {
		return nil, err
	}
	query := `SELECT slo, severity, start_time, end_time, burn_rates::text, end_burn_rates::text FROM slo_alerts`
	var args []any
	switch {
	case q.Open:
		query += ` WHERE end_time IS NULL`
	case !q.Since.IsZero():
		query += ` WHERE end_time IS NULL OR end_time >= $1`
		args = append(args, q.Since)
	}
	rows, err := s.pool.Query(ctx, query+` ORDER BY start_time, slo, severity`, args...)
	if err != nil {
		return nil, s.wrap("slo alerts", err)
	}
	out, err := pgx.CollectRows(rows, func(row pgx.CollectableRow) (store.SLOAlert, error) {
		var a store.SLOAlert
		var end *time.Time
		var rates string
		var endRates *string
		if err := row.Scan(&a.SLO, &a.Severity, &a.Start, &end, &rates, &endRates); err != nil {
			return a, err
		}
		a.Start = a.Start.UTC()
		if end != nil {
			a.End = end.UTC()
		}
		if err := json.Unmarshal([]byte(rates), &a.BurnRates); err != nil {
			return a, fmt.Errorf("burn rates: %w", err)
		}
		if endRates != nil {
			if err := json.Unmarshal([]byte(*endRates), &a.EndBurnRates); err != nil {
				return a, fmt.Errorf("end burn rates: %w", err)
			}
		}
		return a, nil
	})
	if err != nil {
		return nil, s.wrap("slo alerts", err)
	}
	return out, nil
}

// burnRatesOrEmpty keeps a nil map from being stored as JSON null.
func burnRatesOrEmpty(m map[string]float64) map[string]float64 {
	if m == nil {
		return map[string]float64{}
	}
	return m
}

// clampInt64 is v, or the largest int64 when v is larger.
func clampInt64(v uint64) int64 {
	if v > math.MaxInt64 {
		return math.MaxInt64
	}
	return int64(v)
}
