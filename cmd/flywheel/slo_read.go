package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"strconv"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/flywheel-stack/flywheel/config"
	"github.com/flywheel-stack/flywheel/slo"
	"github.com/flywheel-stack/flywheel/store"
	"github.com/spf13/cobra"
)

// sloReadFlags are the flags slo status and slo report share.
type sloReadFlags struct {
	asJSON bool
	at     string
}

func (f *sloReadFlags) add(cmd *cobra.Command) {
	cmd.Flags().BoolVar(&f.asJSON, "json", false, "print JSON")
	cmd.Flags().StringVar(&f.at, "at", "", "as of this time (RFC 3339, like 2026-03-08T12:00:00Z) instead of now")
}

// time returns --at, or now.
func (f *sloReadFlags) time() (time.Time, error) {
	if f.at == "" {
		return time.Now(), nil
	}
	t, err := time.Parse(time.RFC3339, f.at)
	if err != nil {
		return time.Time{}, fmt.Errorf("--at must be a time like 2026-03-08T12:00:00Z, got %q", f.at)
	}
	return t, nil
}

// withSLOStore loads the configuration and its SLOs, opens the store and
// runs fn with the store's minutes and alert log.
func withSLOStore(ctx context.Context, configPath string, fn func(*config.Config, *slo.Set, *slo.StoreAdapter) error) error {
	cfg, err := loadConfigOrDefault(configPath)
	if err != nil {
		return err
	}
	if len(cfg.SLOs) == 0 {
		return errors.New("the configuration declares no slos")
	}
	set, err := slo.Compile(cfg.SLOs)
	if err != nil {
		return err
	}
	return withStore(ctx, configPath, func(st store.Store) error {
		ss, ok := st.(store.SLOStore)
		if !ok {
			return fmt.Errorf("the store %s keeps no SLO minutes", st.Location())
		}
		return fn(cfg, set, slo.AdaptStore(ss))
	})
}

func newSLOStatusCommand(configPath *string) *cobra.Command {
	var f sloReadFlags
	cmd := &cobra.Command{
		Use:   "status",
		Short: "Print each SLO's SLI, error budget, burn rates and active alerts, from the store",
		Long: `Print one row per SLO of the slos: section, computed from the per-minute
counts in the configured store (what flywheel serve writes there): the
objective, the SLI over the period, the share of the error budget left, the
burn rates over 5m, 30m, 1h, 2h, 6h, 1d and 3d, and the page and ticket
alerts that fire, with their start. Windows end at the start of the current
minute (or of --at's).`,
		Example: `  flywheel slo status -c flywheel.yaml
  flywheel slo status --json`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			at, err := f.time()
			if err != nil {
				return err
			}
			return withSLOStore(cmd.Context(), *configPath, func(_ *config.Config, set *slo.Set, ss *slo.StoreAdapter) error {
				sts, err := slo.StatusAt(cmd.Context(), set, ss, at)
				if err != nil {
					return err
				}
				if f.asJSON {
					return writeJSON(cmd.OutOrStdout(), map[string]any{"at": at.UTC().Truncate(time.Minute), "slos": sts})
				}
				printSLOStatus(cmd.OutOrStdout(), sts)
				return nil
			})
		},
	}
	f.add(cmd)
	return cmd
}

func newSLOReportCommand(configPath *string) *cobra.Command {
	var f sloReadFlags
	var since string
	cmd := &cobra.Command{
		Use:   "report",
		Short: "Print each SLO's days: good, bad, budget spent and the alerts that fired",
		Long: `Print, for each SLO and each day (UTC) of the last --since days, today
included up to the current minute: the good and bad events, the SLI, the
share of the error budget the day spent, and the alerts that fired that day
with their start and end, from the configured store. A day's budget spent is
its bad events over (error budget x the events of the period ending now), so
the days of the current period add up to 1 - the budget remaining.`,
		Example: `  flywheel slo report --since 7d
  flywheel slo report --since 30d --json`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			days, err := parseDays(since)
			if err != nil {
				return err
			}
			at, err := f.time()
			if err != nil {
				return err
			}
			return withSLOStore(cmd.Context(), *configPath, func(_ *config.Config, set *slo.Set, ss *slo.StoreAdapter) error {
				r, err := slo.BuildReport(cmd.Context(), set, ss, ss, at, days)
				if err != nil {
					return err
				}
				if f.asJSON {
					return writeJSON(cmd.OutOrStdout(), r)
				}
				printSLOReport(cmd.OutOrStdout(), r)
				return nil
			})
		},
	}
	cmd.Flags().StringVar(&since, "since", "7d", "how many days, like 7d (today included)")
	f.add(cmd)
	return cmd
}

// parseDays reads --since: a number of days ("7d"), or a duration
// rounded up to whole days ("36h" is 2).
func parseDays(s string) (int, error) {
	if n, ok := strings.CutSuffix(s, "d"); ok {
		if d, err := strconv.Atoi(n); err == nil && d >= 1 && d <= 3660 {
			return d, nil
		}
	} else if d, err := time.ParseDuration(s); err == nil && d > 0 {
		return int((d + 24*time.Hour - 1) / (24 * time.Hour)), nil
	}
	return 0, fmt.Errorf("--since must be a number of days like 7d (or a duration like 36h), got %q", s)
}

func pct(r float64) string { return strconv.FormatFloat(100*r, 'f', 3, 64) + "%" }

func printSLOStatus(w io.Writer, sts []slo.Status) {
	tw := tabwriter.NewWriter(w, 0, 4, 2, ' ', 0)
	head := "SLO\tOBJECTIVE\tPERIOD\tSLI\tBUDGET LEFT\tEVENTS"
	for _, win := range slo.Windows {
		head += "\tBURN " + win.Name
	}
	fmt.Fprintln(tw, head+"\tALERTS")
	for _, st := range sts {
		row := fmt.Sprintf("%s\t%s%%\t%s\t%s\t%s\t%d", st.Name, strconv.FormatFloat(st.Objective, 'f', -1, 64), st.Period,
			pct(st.SLI), pct(st.BudgetRemaining), st.Good+st.Bad)
		for _, b := range st.BurnRates {
			row += "\t" + strconv.FormatFloat(b, 'f', 2, 64)
		}
		var alerts []string
		for _, a := range st.Alerts {
			if a.Active {
				alerts = append(alerts, fmt.Sprintf("%s since %s", a.Severity, a.Since.UTC().Format("2006-01-02 15:04")))
			}
		}
		if len(alerts) == 0 {
			alerts = []string{"-"}
		}
		fmt.Fprintln(tw, row+"\t"+strings.Join(alerts, ", "))
	}
	_ = tw.Flush()
}

func printSLOReport(w io.Writer, r *slo.Report) {
	for i, sr := range r.SLOs {
		if i > 0 {
			fmt.Fprintln(w)
		}
		fmt.Fprintf(w, "%s: objective %s%% over %s; %d events in the period ending %s\n", sr.Name,
			strconv.FormatFloat(sr.Objective, 'f', -1, 64), sr.Period, sr.PeriodEvents, r.To.Format("2006-01-02 15:04Z"))
		tw := tabwriter.NewWriter(w, 0, 4, 2, ' ', 0)
		fmt.Fprintln(tw, "DAY\tGOOD\tBAD\tSLI\tBUDGET SPENT\tALERTS")
		for _, d := range sr.Days {
			var alerts []string
			for _, a := range d.Alerts {
				end := "firing"
				if !a.Active() {
					end = a.End.UTC().Format("2006-01-02 15:04")
				}
				alerts = append(alerts, fmt.Sprintf("%s %s to %s", a.Severity, a.Start.UTC().Format("2006-01-02 15:04"), end))
			}
			if len(alerts) == 0 {
				alerts = []string{"-"}
			}
			fmt.Fprintf(tw, "%s\t%d\t%d\t%s\t%s\t%s\n", d.Day, d.Good, d.Bad, pct(d.SLI), pct(d.BudgetSpent), strings.Join(alerts, ", "))
		}
		fmt.Fprintf(tw, "total\t%d\t%d\t\t%s\t\n", sr.Good, sr.Bad, pct(sr.BudgetSpent))
		_ = tw.Flush()
	}
}
