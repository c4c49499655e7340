package main

import (
	"context"
	"encoding/csv"
	"encoding/json"
	"io"
	"math"
	"os"
	"path/filepath"
	"reflect"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/flywheel-stack/flywheel/slo"
	"github.com/flywheel-stack/flywheel/store"
	"github.com/flywheel-stack/flywheel/store/sqlite"
)

// The seeded minutes and alerts, and the numbers the commands must print,
// come from testdata/slo/gen_slo_fixtures.py, which computes them with
// exact fractions, independently of the Go code.
type sloExpected struct {
	At     string `json:"at"`
	Status []struct {
		Name                 string    `json:"name"`
		Good                 uint64    `json:"good"`
		Bad                  uint64    `json:"bad"`
		SLI                  float64   `json:"sli"`
		ErrorBudgetRemaining float64   `json:"error_budget_remaining"`
		BurnRates            []float64 `json:"burn_rates"`
		WindowEvents         []uint64  `json:"window_events"`
		Alerts               []struct {
			Severity            string `json:"severity"`
			Active, Quick, Slow bool
			Since               string `json:"since"`
		} `json:"alerts"`
	} `json:"status"`
	Report []struct {
		Name         string  `json:"name"`
		From         string  `json:"from"`
		PeriodEvents uint64  `json:"period_events"`
		ErrorBudget  float64 `json:"error_budget"`
		Good         uint64  `json:"good"`
		Bad          uint64  `json:"bad"`
		BudgetSpent  float64 `json:"budget_spent"`
		Days         []struct {
			Day         string  `json:"day"`
			Good        uint64  `json:"good"`
			Bad         uint64  `json:"bad"`
			SLI         float64 `json:"sli"`
			BudgetSpent float64 `json:"budget_spent"`
			Alerts      []struct{ Severity, Start, End string }
		} `json:"days"`
	} `json:"report"`
}

func closeTo(a, b float64) bool {
	return a == b || math.Abs(a-b) <= 1e-9*math.Max(math.Abs(a), math.Abs(b))
}

func readCSV(t *testing.T, name string) [][]string {
	t.Helper()
	f, err := os.Open(filepath.Join("testdata", "slo", name))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	rows, err := csv.NewReader(f).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	return rows[1:]
}

func parseTime(t *testing.T, s string) time.Time {
	t.Helper()
	if s == "" {
		return time.Time{}
	}
	v, err := time.Parse(time.RFC3339, s)
	if err != nil {
		t.Fatal(err)
	}
	return v
}

// seededSLOConfig writes a configuration with the fixtures' SLOs on a
// SQLite store seeded with their minutes and alerts, and returns its path.
func seededSLOConfig(t *testing.T) string {
	t.Helper()
	dir := t.TempDir()
	db := filepath.Join(dir, "flywheel.db")
	ctx := context.Background()
	st, err := sqlite.Open(ctx, db, sqlite.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	var minutes []store.SLOMinute
	for _, r := range readCSV(t, "minutes.csv") {
		good, _ := strconv.ParseUint(r[2], 10, 64)
		bad, _ := strconv.ParseUint(r[3], 10, 64)
		minutes = append(minutes, store.SLOMinute{SLO: r[0], Minute: parseTime(t, r[1]), Good: good, Bad: bad})
	}
	if err := st.AddSLOMinutes(ctx, minutes); err != nil {
		t.Fatal(err)
	}
	for _, r := range readCSV(t, "alerts.csv") {
		if _, err := st.OpenSLOAlert(ctx, store.SLOAlert{SLO: r[0], Severity: r[1], Start: parseTime(t, r[2])}); err != nil {
			t.Fatal(err)
		}
		if r[3] != "" {
			if _, err := st.ResolveSLOAlert(ctx, r[0], r[1], parseTime(t, r[3]), nil); err != nil {
				t.Fatal(err)
			}
		}
	}
	slos, err := os.ReadFile(filepath.Join("testdata", "slo", "flywheel.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	cfg := filepath.Join(dir, "flywheel.yaml")
	if err := os.WriteFile(cfg, []byte("store: {driver: sqlite, dsn: "+strconv.Quote(db)+"}\n"+string(slos)), 0o600); err != nil {
		t.Fatal(err)
	}
	return cfg
}

func loadSLOExpected(t *testing.T) sloExpected {
	t.Helper()
	data, err := os.ReadFile(filepath.Join("testdata", "slo", "expected.json"))
	if err != nil {
		t.Fatal(err)
	}
	var e sloExpected
	if err := json.Unmarshal(data, &e); err != nil {
		t.Fatal(err)
	}
	return e
}

// TestSLOStatusOnSeededStore checks `flywheel slo status --json` against
// the reference, and that the table shows the same.
func TestSLOStatusOnSeededStore(t *testing.T) {
	t.Parallel()
	cfg := seededSLOConfig(t)
	want := loadSLOExpected(t)
	out := runCatalogCLI(t, "slo", "status", "-c", cfg, "--json", "--at", want.At)
	var got struct {
		At   time.Time    `json:"at"`
		SLOs []slo.Status `json:"slos"`
	}
	if err := json.Unmarshal([]byte(out), &got); err != nil {
		t.Fatalf("%v\n%s", err, out)
	}
	if len(got.SLOs) != len(want.Status) {
		t.Fatalf("%d SLOs, want %d", len(got.SLOs), len(want.Status))
	}
	for i, w := range want.Status {
		g := got.SLOs[i]
		if g.Name != w.Name || g.Good != w.Good || g.Bad != w.Bad || !reflect.DeepEqual(g.WindowEvents, w.WindowEvents) {
			t.Errorf("%s: name %s, %d good %d bad, window events %v; want %d, %d, %v", w.Name, g.Name, g.Good, g.Bad, g.WindowEvents, w.Good, w.Bad, w.WindowEvents)
		}
		if !closeTo(g.SLI, w.SLI) || !closeTo(g.BudgetRemaining, w.ErrorBudgetRemaining) {
			t.Errorf("%s: SLI %v, budget remaining %v; want %v, %v", w.Name, g.SLI, g.BudgetRemaining, w.SLI, w.ErrorBudgetRemaining)
		}
		for j := range w.BurnRates {
			if !closeTo(g.BurnRates[j], w.BurnRates[j]) {
				t.Errorf("%s: burn rate %s = %v, want %v", w.Name, slo.Windows[j].Name, g.BurnRates[j], w.BurnRates[j])
			}
		}
		for j, wa := range w.Alerts {
			ga := g.Alerts[j]
			since := ""
			if !ga.Since.IsZero() {
				since = ga.Since.UTC().Format(time.RFC3339)
			}
			if string(ga.Severity) != wa.Severity || ga.Active != wa.Active || ga.Quick != wa.Quick || ga.Slow != wa.Slow || since != wa.Since {
				t.Errorf("%s: alert %+v, want %+v", w.Name, ga, wa)
			}
		}
	}
	table := runCatalogCLI(t, "slo", "status", "-c", cfg, "--at", want.At)
	for _, s := range []string{"BURN 5m", "page since 2026-03-08 10:01, ticket since 2026-03-08 10:01", "95.417%"} {
		if !strings.Contains(table, s) {
			t.Errorf("the table has no %q:\n%s", s, table)
		}
	}
}

// TestSLOReportOnSeededStore checks `flywheel slo report --since 7d
// --json` against the reference, and the table.
func TestSLOReportOnSeededStore(t *testing.T) {
	t.Parallel()
	cfg := seededSLOConfig(t)
	want := loadSLOExpected(t)
	out := runCatalogCLI(t, "slo", "report", "-c", cfg, "--since", "7d", "--json", "--at", want.At)
	var got slo.Report
	if err := json.Unmarshal([]byte(out), &got); err != nil {
		t.Fatalf("%v\n%s", err, out)
	}
	if len(got.SLOs) != len(want.Report) {
		t.Fatalf("%d SLOs, want %d", len(got.SLOs), len(want.Report))
	}
	for i, w := range want.Report {
		g := got.SLOs[i]
		if got.From.Format(time.RFC3339) != w.From || g.Name != w.Name || g.PeriodEvents != w.PeriodEvents || g.Good != w.Good || g.Bad != w.Bad ||
			!closeTo(g.ErrorBudget, w.ErrorBudget) || !closeTo(g.BudgetSpent, w.BudgetSpent) {
			t.Errorf("%s: from %v, %d period events, %d good, %d bad, budget %v, spent %v; want %s, %d, %d, %d, %v, %v", w.Name,
				got.From, g.PeriodEvents, g.Good, g.Bad, g.ErrorBudget, g.BudgetSpent, w.From, w.PeriodEvents, w.Good, w.Bad, w.ErrorBudget, w.BudgetSpent)
		}
		if len(g.Days) != len(w.Days) {
			t.Fatalf("%s: %d days, want %d", w.Name, len(g.Days), len(w.Days))
		}
		for j, wd := range w.Days {
			gd := g.Days[j]
			if gd.Day != wd.Day || gd.Good != wd.Good || gd.Bad != wd.Bad || !closeTo(gd.SLI, wd.SLI) || !closeTo(gd.BudgetSpent, wd.BudgetSpent) {
				t.Errorf("%s %s: %+v, want %+v", w.Name, wd.Day, gd, wd)
			}
			var alerts []struct{ Severity, Start, End string }
			for _, a := range gd.Alerts {
				end := ""
				if !a.Active() {
					end = a.End.UTC().Format(time.RFC3339)
				}
				alerts = append(alerts, struct{ Severity, Start, End string }{string(a.Severity), a.Start.UTC().Format(time.RFC3339), end})
			}
			if len(alerts) != len(wd.Alerts) || (len(alerts) > 0 && !reflect.DeepEqual(alerts, wd.Alerts)) {
				t.Errorf("%s %s: alerts %v, want %v", w.Name, wd.Day, alerts, wd.Alerts)
			}
		}
	}
	table := runCatalogCLI(t, "slo", "report", "-c", cfg, "--at", want.At)
	for _, s := range []string{"api: objective 99% over 7d", "2026-03-08", "page 2026-03-08 10:04 to firing",
		"ticket 2026-03-07 23:30 to 2026-03-08 01:10"} {
		if !strings.Contains(table, s) {
			t.Errorf("the table has no %q:\n%s", s, table)
		}
	}
}

// TestSLOReadErrors checks bad flags and a file without SLOs.
func TestSLOReadErrors(t *testing.T) {
	t.Parallel()
	cfg := seededSLOConfig(t)
	empty := filepath.Join(t.TempDir(), "f.yaml")
	if err := os.WriteFile(empty, []byte("server: {}\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct {
		args []string
		want string
	}{
		{[]string{"slo", "report", "-c", cfg, "--since", "week"}, `--since must be a number of days like 7d (or a duration like 36h), got "week"`},
		{[]string{"slo", "report", "-c", cfg, "--since", "0d"}, `--since must be a number of days`},
		{[]string{"slo", "status", "-c", cfg, "--at", "yesterday"}, `--at must be a time like 2026-03-08T12:00:00Z, got "yesterday"`},
		{[]string{"slo", "status", "-c", empty}, "the configuration declares no slos"},
	} {
		cmd := newRootCommand()
		cmd.SetOut(io.Discard)
		cmd.SetErr(io.Discard)
		cmd.SetArgs(c.args)
		if err := cmd.ExecuteContext(context.Background()); err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%v: %v, want %q", c.args, err, c.want)
		}
	}
}
