package main

import (
	"fmt"
	"io"
	"log/slog"
	"os"
	"time"

	"github.com/flywheel-stack/flywheel/internal/demo"
	"github.com/spf13/cobra"
)

// newDemoCommand builds `flywheel demo`: the gateway in front of three
// simulated backends, an outage, and what the client saw.
func newDemoCommand() *cobra.Command {
	var (
		opts    demo.Options
		verbose bool
		plain   bool
	)
	cmd := &cobra.Command{
		Use:   "demo",
		Short: "See the gateway fall back and recover, against simulated backends (nothing to configure)",
		Long: `Start three simulated backends in this process (a fast local model, a flaky
local model and a slower "remote" API) and the real gateway in front of them,
on free loopback ports with a generated configuration. Drive streamed and
plain requests through it, take the fast local model down a third of the way
through and bring it back at two thirds, then print what the client saw:
requests, success rate, fallbacks, breaker transitions with their times,
latency p50/p95/p99 and time to first token. Nothing is left running.`,
		Example: `  flywheel demo
  flywheel demo --duration 10s --rate 50
  flywheel demo --show-config     # print the generated flywheel.yaml too`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			out := cmd.OutOrStdout()
			// A bar redrawn in place would be torn by log lines.
			opts.Progress = demo.ProgressLines
			if !plain && !verbose && isTerminal(out) {
				opts.Progress = demo.ProgressBar
			}
			if verbose {
				opts.Logger = slog.New(slog.NewTextHandler(cmd.ErrOrStderr(), nil))
			}
			if opts.Duration < time.Second {
				return fmt.Errorf("--duration %s: must be at least 1s", opts.Duration)
			}
			if opts.Rate <= 0 || opts.Rate > 2000 {
				return fmt.Errorf("--rate %g: must be in (0, 2000]", opts.Rate)
			}
			_, err := demo.Run(cmd.Context(), out, opts)
			return err
		},
	}
	fl := cmd.Flags()
	fl.DurationVar(&opts.Duration, "duration", demo.DefaultDuration, "how long to drive traffic")
	fl.Float64Var(&opts.Rate, "rate", demo.DefaultRate, "requests per second, evenly spaced")
	fl.BoolVar(&opts.ShowConfig, "show-config", false, "print the generated flywheel.yaml before the run")
	fl.BoolVar(&verbose, "verbose", false, "print the gateway's logs on stderr (and plain progress lines)")
	fl.BoolVar(&plain, "plain", false, "plain progress lines even on a terminal")
	return cmd
}

// isTerminal reports whether w is a character device (a terminal).
func isTerminal(w io.Writer) bool {
	f, ok := w.(*os.File)
	if !ok {
		return false
	}
	fi, err := f.Stat()
	return err == nil && fi.Mode()&os.ModeCharDevice != 0
}
