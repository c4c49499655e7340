package main

import (
	"errors"

	"github.com/flywheel-stack/flywheel/slo"
	"github.com/spf13/cobra"
)

func newSLOCommand() *cobra.Command {
	var configPath string
	cmd := &cobra.Command{
		Use:   "slo",
		Short: "Service level objectives: status, daily report and Prometheus rules",
		Long: `Work with the SLOs of the slos: section. docs/slo.md describes how each
inference is judged and how the burn-rate alerts work.`,
	}
	cmd.PersistentFlags().StringVarP(&configPath, "config", "c", "", "configuration file (default ./flywheel.yaml if present)")
	cmd.AddCommand(newSLOStatusCommand(&configPath), newSLOReportCommand(&configPath), newSLORulesCommand(&configPath))
	return cmd
}

func newSLORulesCommand(configPath *string) *cobra.Command {
	var opts slo.RulesOptions
	cmd := &cobra.Command{
		Use:   "rules",
		Short: "Print a Prometheus rule file for the SLOs, with Sloth's rule names and labels",
		Long: `Print a Prometheus rule file built on flywheel_slo_events_total{slo,result}:
for each SLO the recording rules and the page and ticket alerts that Sloth
v0.16.0 generates (slo:sli_error:ratio_rate5m ... ratio_rate30d, slo:objective:ratio,
slo:error_budget:ratio, slo:current_burn_rate:ratio, slo:period_burn_rate:ratio,
slo:period_error_budget_remaining:ratio, slo:time_period:days, sloth_slo_info;
labels sloth_id, sloth_service, sloth_slo, sloth_window, sloth_severity), so
that dashboards and alert routes made for Sloth keep working. An SLO's
min_events over 1 adds a check of the short window's event count to its alerts.`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			cfg, err := loadConfigOrDefault(*configPath)
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
			out, err := slo.Rules(set, opts).YAML()
			if err != nil {
				return err
			}
			_, err = cmd.OutOrStdout().Write(out)
			return err
		},
	}
	cmd.Flags().StringVar(&opts.Service, "service", "flywheel", "the sloth_service label (and the start of sloth_id)")
	cmd.Flags().StringVar(&opts.AlertPrefix, "alert-prefix", "FlywheelSLO", "the start of each SLO's alert name, which goes on with the SLO's name in CamelCase")
	return cmd
}
