package main

import (
	"fmt"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
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
latency p50/p95/p99 and time to first token. Nothing is left running.

The generated configuration declares two SLOs on the coder route, an
availability and a time-to-first-token one; the summary prints the error
budget each spent and the alerts firing at the end of the run (docs/slo.md).

Every request is recorded in a SQLite store, and the demo sends feedback
(thumbs up, ratings, corrections, some on whole episodes) for some answers
through POST /v1/feedback. The store and the generated flywheel.yaml stay
in the data folder (--data, default ./flywheel-data/demo); each run adds to
them, and the summary gives the commands that read them back. Remove the
folder to start afresh.`,
		Example: `  flywheel demo
  flywheel demo --duration 10s --rate 50
  flywheel demo --show-config     # print the generated flywheel.yaml too
  flywheel demo --data /tmp/fw    # keep the store somewhere else
  flywheel inferences list -c flywheel-data/demo/flywheel.yaml   # afterwards
  flywheel slo status -c flywheel-data/demo/flywheel.yaml        # the SLOs afterwards`,
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
			opts.Command = selfCommand()
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
	fl.StringVar(&opts.DataDir, "data", demo.DefaultDataDir, "folder of the demo's SQLite store and generated flywheel.yaml, kept after the run")
	return cmd
}

// selfCommand is how the user runs this binary again, for the commands the
// demo suggests: "go run ./cmd/flywheel" when it was built by go run (a
// binary in the go-build cache), else "flywheel".
func selfCommand() string {
	exe, err := os.Executable()
	if err == nil && strings.Contains(filepath.ToSlash(exe), "/go-build") {
		return "go run ./cmd/flywheel"
	}
	return "flywheel"
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
