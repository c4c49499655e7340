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
		Short: "Reliability and learning layer for a self-hosted AI stack",
		Long: `Flywheel keeps a self-hosted AI stack up and makes it better with use: circuit
breakers, retries and health checks for the services around local models, an
OpenAI-compatible gateway that falls back from local to remote, and the
telemetry, feedback and datasets that turn good answers into training data.`,
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
	return root
}

// exitCode is an error that asks main to exit with a given status and print
// nothing more (the command already said why).
type exitCode int

func (e exitCode) Error() string { return fmt.Sprintf("exit status %d", int(e)) }

func asExitCode(err error, target *exitCode) bool { return errors.As(err, target) }
