package main

import (
	"errors"
	"fmt"

	"github.com/spf13/cobra"
)

// newRootCommand builds the command tree. Each subcommand stays thin and
// calls into the library packages.
func newRootCommand() *cobra.Command {
	root := &cobra.Command{
		Use:   "flywheel",
		Short: "Resilience, health checks and an OpenAI-compatible gateway for a self-hosted AI stack",
		Long: `Flywheel keeps a self-hosted AI stack up: circuit breakers, retries and
health checks for the services around local models (readiness probed by
health), and an OpenAI-compatible gateway (serve) that falls back from local
to remote and records every inference, with the feedback people give on it,
in SQLite or PostgreSQL (inferences, feedback). It also tells which model fits
a machine (catalog), pins container images by digest (images), simulates
failing model servers (simulate), shows fallback and recovery end to end
(demo) and measures what the gateway adds (bench). The gateway judges every
answer against the objectives declared under slos:, keeps their error
budgets and burn-rate alerts (sent to Alertmanager, a burning backend moved
behind its fallback), and samples GPU and backend load; slo rules turns the
objectives into Prometheus rules with Sloth's names, and slo status and
slo report read their state and daily history from the store. It runs drift
tests on two files (monitor drift): Kolmogorov-Smirnov, Wasserstein, PSI,
chi-square, Jensen-Shannon and z-tests with scipy's numbers.

Planned, not built yet: model monitoring, A/B experiments, and fine-tuning
datasets built from stored answers.`,
		SilenceUsage:  true,
		SilenceErrors: true,
	}
	// One line per subcommand, so that each can be added on its own.
	root.AddCommand(newVersionCommand())
	root.AddCommand(newDemoCommand())
	root.AddCommand(newServeCommand())
	root.AddCommand(newHealthCommand())
	root.AddCommand(newSimulateCommand())
	root.AddCommand(newBenchCommand())
	root.AddCommand(newImagesCommand())
	root.AddCommand(newInferencesCommand())
	root.AddCommand(newFeedbackCommand())
	root.AddCommand(newCatalogCommand())
	root.AddCommand(newSLOCommand())
	root.AddCommand(newMonitorCommand())
	return root
}

// exitCode is an error that asks main to exit with a given status and print
// nothing more (the command already said why).
type exitCode int

func (e exitCode) Error() string { return fmt.Sprintf("exit status %d", int(e)) }

func asExitCode(err error, target *exitCode) bool { return errors.As(err, target) }
