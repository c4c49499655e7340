package sqlite

import (
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"math"
	"strings"
	"time"

	"github.com/flywheel-stack/flywheel/store"
)

var _ store.SLOStore = (*Store)(nil)

// sloRowsPerInsert is how many minutes one upsert carries.
const sloRowsPerInsert = 200

// AddSLOMinutes adds the counts to the stored sums in one transaction.
func (s *Store) AddSLOMinutes(ctx context.Context, counts []store.SLOMinute) error {
	counts = store.MergeSLOMinutes(counts)
	if len(counts) == 0 {
		return nil
	}
	tx, err := s.writer.BeginTx(ctx, nil)
	if err != nil {
		return fmt.Errorf("sqlite store %s: slo minutes: %w", s.path, err)
	}
	defer func() { _ = tx.Rollback() }()
	for len(counts) > 0 {
		n := min(len(counts), sloRowsPerInsert)
		args := make([]any, 0, 4*n)
		for _, c := range counts[:n] {
			args = append(args, micros(c.Minute), c.SLO, clampInt64(c.Good), clampInt64(c.Bad))
		}
		q := "INSERT INTO slo_minutes (minute_us, slo, good, bad) VALUES (?,?,?,?)" +
			strings.Repeat(",(?,?,?,?)", n-1) +
			" ON CONFLICT (minute_us, slo) DO UPDATE SET good = good + excluded.good, bad = bad + excluded.bad"
		if _, err := tx.ExecContext(ctx, q, args...); err != nil {
			return fmt.Errorf("sqlite store %s: slo minutes: %w", s.path, err)
		}
		counts = counts[n:]
	}
	if err := tx.Commit(); err != nil {
		return fmt.Errorf("sqlite store %s: slo minutes: %w", s.path, err)
	}
	return nil
}

// SLOMinutes returns the sums in [from, to).
func (s *Store) SLOMinutes(ctx context.Context, from, to time.Time) ([]store.SLOMinute, error) {
	rows, err := s.reader.QueryContext(ctx, `SELECT minute_us, slo, good, bad FROM slo_minutes
		WHERE minute_us >= ? AND minute_us < ? ORDER BY minute_us, slo`, from.UnixMicro(), to.UnixMicro())
	if err != nil {
		return nil, fmt.Errorf("sqlite store %s: slo minutes: %w", s.path, err)
	}
	defer rows.Close()
	var out []store.SLOMinute
	for rows.Next() {
		var m store.SLOMinute
		var us, good, bad int64
		if err := rows.Scan(&us, &m.SLO, &good, &bad); err != nil {
			return nil, fmt.Errorf("sqlite store %s: slo minutes: %w", s.path, err)
		}
		m.Minute, m.Good, m.Bad = time.UnixMicro(us).UTC(), uint64(max(good, 0)), uint64(max(bad, 0))
		out = append(out, m)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("sqlite store %s: slo minutes: %w", s.path, err)
	}
	return out, nil
}

// PruneSLOMinutes deletes the minutes before before.
func (s *Store) PruneSLOMinutes(ctx context.Context, before time.Time) (int, error) {
	res, err := s.writer.ExecContext(ctx, `DELETE FROM slo_minutes WHERE minute_us < ?`, before.UnixMicro())
	if err != nil {
		return 0, fmt.Errorf("sqlite store %s: prune slo minutes: %w", s.path, err)
	}
	n, err := res.RowsAffected()
	return int(n), err
}

// OpenSLOAlert records a, unless an alert of its SLO and severity is open.
func (s *Store) OpenSLOAlert(ctx context.Context, a store.SLOAlert) (bool, error) {
	rates, err := json.Marshal(burnRatesOrEmpty(a.BurnRates))
	if err != nil {
		return false, fmt.Errorf("sqlite store %s: slo alert: %w", s.path, err)
	}
	res, err := s.writer.ExecContext(ctx, `INSERT INTO slo_alerts (slo, severity, start_us, burn_rates)
		VALUES (?, ?, ?, ?) ON CONFLICT (slo, severity) WHERE end_us IS NULL DO NOTHING`,
		a.SLO, a.Severity, a.Start.UnixMicro(), string(rates))
	if err != nil {
		return false, fmt.Errorf("sqlite store %s: slo alert: %w", s.path, err)
	}
	n, err := res.RowsAffected()
	return n == 1, err
}

// ResolveSLOAlert closes the open alert of slo and severity.
func (s *Store) ResolveSLOAlert(ctx context.Context, slo, severity string, end time.Time, burnRates map[string]float64) (bool, error) {
	rates, err := json.Marshal(burnRatesOrEmpty(burnRates))
	if err != nil {
		return false, fmt.Errorf("sqlite store %s: slo alert: %w", s.path, err)
	}
	res, err := s.writer.ExecContext(ctx, `UPDATE slo_alerts SET end_us = max(?, start_us), end_burn_rates = ?
		WHERE slo = ? AND severity = ? AND end_us IS NULL`, end.UnixMicro(), string(rates), slo, severity)
	if err != nil {
		return false, fmt.Errorf("sqlite store %s: slo alert: %w", s.path, err)
	}
	n, err := res.RowsAffected()
	return n == 1, err
}

// SLOAlerts lists alerts.
func (s *Store) SLOAlerts(ctx context.Context, q store.SLOAlertQuery) ([]store.SLOAlert, error) {
	query := `SELECT slo, severity, start_us, end_us, burn_rates, end_burn_rates FROM slo_alerts`
	var args []any
	switch {
	case q.Open:
		query += ` WHERE end_us IS NULL`
	case !q.Since.IsZero():
		query += ` WHERE end_us IS NULL OR end_us >= ?`
		args = append(args, q.Since.UnixMicro())
	}
	rows, err := s.reader.QueryContext(ctx, query+` ORDER BY start_us, slo, severity`, args...)
	if err != nil {
		return nil, fmt.Errorf("sqlite store %s: slo alerts: %w", s.path, err)
	}
	defer rows.Close()
	var out []store.SLOAlert
	for rows.Next() {
		var a store.SLOAlert
		var start int64
		var end sql.NullInt64
		var rates string
		var endRates sql.NullString
		if err := rows.Scan(&a.SLO, &a.Severity, &start, &end, &rates, &endRates); err != nil {
			return nil, fmt.Errorf("sqlite store %s: slo alerts: %w", s.path, err)
		}
		a.Start = time.UnixMicro(start).UTC()
		if end.Valid {
			a.End = time.UnixMicro(end.Int64).UTC()
		}
		if err := json.Unmarshal([]byte(rates), &a.BurnRates); err != nil {
			return nil, fmt.Errorf("sqlite store %s: slo alert burn rates: %w", s.path, err)
		}
		if endRates.Valid {
			if err := json.Unmarshal([]byte(endRates.String), &a.EndBurnRates); err != nil {
				return nil, fmt.Errorf("sqlite store %s: slo alert burn rates: %w", s.path, err)
			}
		}
		out = append(out, a)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("sqlite store %s: slo alerts: %w", s.path, err)
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
