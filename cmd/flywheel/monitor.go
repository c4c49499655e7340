package main

import (
	"encoding/json"
	"fmt"
	"io"
	"strconv"
	"text/tabwriter"

	"github.com/flywheel-stack/flywheel/monitor/drift"
	"github.com/spf13/cobra"
)

func newMonitorCommand() *cobra.Command {
	cmd := &cobra.Command{
		Use:   "monitor",
		Short: "Model monitoring: drift tests on two files",
		Long: `Model monitoring. For now, monitor drift runs the drift tests of
docs/monitoring.md on two CSV or JSONL files; the per-model history, the
streaming detectors, alerts and reports are still to come.`,
	}
	cmd.AddCommand(newMonitorDriftCommand())
	return cmd
}

func newMonitorDriftCommand() *cobra.Command {
	var (
		ref, cur                         string
		categorical, numeric, proportion []string
		asJSON                           bool
	)
	th := drift.DefaultThresholds()
	cmd := &cobra.Command{
		Use:   "drift",
		Short: "Run the drift tests on a reference and a current CSV or JSONL file",
		Long: `Compare every column the two files share (CSV with a header row, or JSONL
with one object per line) and print, per column, the test, its statistic,
its p-value where it has one, the threshold and the verdict.

A column is numeric when every value in both files is a number and there
are more than 5 distinct values (Evidently's rule), a proportion when it
holds only true/false or 1/0, else categorical; --numeric, --categorical and
--proportion override that. Numeric, reference of at most --small-sample
values: two-sample Kolmogorov-Smirnov (scipy's ks_2samp, exact p-value up
to 10,000 values a side), drift at p < 0.05; larger: Wasserstein distance
over the reference's standard deviation (drift >= 0.1) and PSI over the
reference's deciles (warn >= 0.1, drift >= 0.2). Categorical: chi-square on
small references, Jensen-Shannon distance (base 2, drift >= 0.1) on large
ones. Proportions: two-proportion z-test, drift at p < 0.05 with a change
of the rate of at least --min-effect. Empty cells are skipped; NaN and
infinities in numeric columns are dropped and counted.`,
		Example: `  flywheel monitor drift --reference last-week.csv --current today.csv
  flywheel monitor drift --reference ref.jsonl --current cur.jsonl --categorical finish_reason --json`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if ref == "" || cur == "" {
				return fmt.Errorf("both --reference and --current are required")
			}
			rt, err := drift.ReadFile(ref)
			if err != nil {
				return err
			}
			ct, err := drift.ReadFile(cur)
			if err != nil {
				return err
			}
			rep, err := drift.Compare(rt, ct, drift.Options{Thresholds: th,
				Categorical: categorical, Numeric: numeric, Proportion: proportion})
			if err != nil {
				return err
			}
			if asJSON {
				enc := json.NewEncoder(cmd.OutOrStdout())
				enc.SetIndent("", "  ")
				return enc.Encode(rep)
			}
			return printDriftReport(cmd.OutOrStdout(), rep)
		},
	}
	f := cmd.Flags()
	f.StringVar(&ref, "reference", "", "the reference file (CSV or JSONL)")
	f.StringVar(&cur, "current", "", "the current file (CSV or JSONL)")
	f.BoolVar(&asJSON, "json", false, "print JSON")
	f.StringSliceVar(&categorical, "categorical", nil, "comma-separated columns to test as categorical")
	f.StringSliceVar(&numeric, "numeric", nil, "comma-separated columns to test as numeric")
	f.StringSliceVar(&proportion, "proportion", nil, "comma-separated columns to test as rates of true/1")
	f.IntVar(&th.SmallSample, "small-sample", th.SmallSample, "largest reference that gets KS or chi-square; larger gets the distances")
	f.Float64Var(&th.KSPValue, "ks-p", th.KSPValue, "KS: drift below this p-value")
	f.Float64Var(&th.Wasserstein, "wasserstein", th.Wasserstein, "normed Wasserstein: drift at or above")
	f.Float64Var(&th.PSIWarn, "psi-warn", th.PSIWarn, "PSI: warn at or above")
	f.Float64Var(&th.PSIDrift, "psi-drift", th.PSIDrift, "PSI: drift at or above")
	f.Float64Var(&th.ChiSquareP, "chi2-p", th.ChiSquareP, "chi-square: drift below this p-value")
	f.Float64Var(&th.JS, "jensenshannon", th.JS, "Jensen-Shannon distance: drift at or above")
	f.Float64Var(&th.ZPValue, "z-p", th.ZPValue, "z-test: drift below this p-value ...")
	f.Float64Var(&th.MinEffect, "min-effect", th.MinEffect, "... and a change of the rate of at least this")
	return cmd
}

func printDriftReport(w io.Writer, rep *drift.Report) error {
	tw := tabwriter.NewWriter(w, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "COLUMN\tKIND\tTEST\tSTATISTIC\tP-VALUE\tTHRESHOLD\tVERDICT")
	var notes []string
	for _, c := range rep.Columns {
		if len(c.Tests) == 0 {
			fmt.Fprintf(tw, "%s\t%s\t-\t-\t-\t-\t%s\n", c.Column, c.Kind, "untested")
		}
		for _, t := range c.Tests {
			p := "-"
			if t.PValue != nil {
				p = strconv.FormatFloat(*t.PValue, 'g', 4, 64)
			}
			fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\t%s\t%s\n", c.Column, c.Kind, t.Test,
				strconv.FormatFloat(t.Statistic, 'g', 6, 64), p, t.Threshold, t.Verdict)
		}
		for _, s := range []struct {
			name string
			side drift.Side
		}{{"reference", c.Reference}, {"current", c.Current}} {
			if s.side.NaN+s.side.Inf > 0 {
				notes = append(notes, fmt.Sprintf("%s: dropped %d NaN and %d infinite values from the %s", c.Column, s.side.NaN, s.side.Inf, s.name))
			}
		}
		if c.Problem != "" {
			notes = append(notes, c.Column+": "+c.Problem)
		}
	}
	if err := tw.Flush(); err != nil {
		return err
	}
	for _, s := range rep.Skipped {
		notes = append(notes, s+": in one file only, not tested")
	}
	for _, n := range notes {
		fmt.Fprintln(w, "note: "+n)
	}
	_, err := fmt.Fprintf(w, "%d of %d columns drifted\n", rep.Drifted, len(rep.Columns))
	return err
}
