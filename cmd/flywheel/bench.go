package main

import (
	"errors"
	"fmt"
	"os"
	"time"

	"github.com/flywheel-stack/flywheel/internal/loadgen"
	"github.com/spf13/cobra"
)

// newBenchCommand builds `flywheel bench`: the same open-loop load sent to a
// backend directly and through the gateway, and what the gateway added.
func newBenchCommand() *cobra.Command {
	var (
		cfg         loadgen.Config
		sat         = loadgen.DefaultSearch()
		noSat       bool
		viaModel    string
		directKey   string
		viaKey      string
		asJSON      bool
		satStartSet bool
	)
	cmd := &cobra.Command{
		Use:   "bench --direct URL --via URL --model M",
		Short: "Measure what the gateway adds: the same load direct and through it",
		Long: `Send the same load to an OpenAI-compatible backend directly (--direct) and
through the gateway in front of it (--via), one after the other in one run,
and print what the gateway added:

  1. short completions in an open loop at --rps (arrivals evenly spaced,
     whatever the answers; latency measured from each request's scheduled
     send, so queueing is never hidden), alternating between the two sides
     every --slice so that both see the same machine: p50/p90/p99/p99.9;
  2. --streams concurrent streamed completions for --duration: time to the
     first chunk and to the end of the stream;
  3. the saturation rate of each: the open-loop rate is ramped from
     --saturation-start by half each step until errors, median or p99
     latency pass their bounds, then bisected.

With --via-pid the gateway's resident memory (VmRSS) is read while it holds
the streams and after the saturation search. The load generator runs on the
same machine as what it measures: on a small machine the saturation rates are
the machine's, not only the server's.`,
		Example: `  flywheel simulate --listen 127.0.0.1:9001 --model m --ttft 0 --tokens-per-second 0 &
  flywheel serve -c bench.yaml &   # one backend at 127.0.0.1:9001, route "m"
  flywheel bench --direct http://127.0.0.1:9001 --via http://127.0.0.1:8700 --model m --rps 1000 --streams 200`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if cfg.Direct.URL == "" || cfg.Via.URL == "" {
				return errors.New("bench: --direct and --via are both required")
			}
			if cfg.Direct.Model == "" {
				return errors.New("bench: --model is required (the model name the backend serves)")
			}
			cfg.Via.Model = viaModel
			if cfg.Via.Model == "" {
				cfg.Via.Model = cfg.Direct.Model
			}
			cfg.Via.MaxTokens = cfg.Direct.MaxTokens
			if directKey != "" {
				cfg.Direct.APIKey = os.Getenv(directKey)
			}
			if viaKey != "" {
				cfg.Via.APIKey = os.Getenv(viaKey)
			}
			if !noSat {
				if !satStartSet {
					sat.Start = cfg.Rate
				}
				cfg.Saturation = &sat
			}
			cfg.Progress = cmd.ErrOrStderr()
			rep, err := loadgen.Run(cmd.Context(), cfg)
			if err != nil {
				return fmt.Errorf("bench: %w", err)
			}
			if asJSON {
				return writeJSON(cmd.OutOrStdout(), rep)
			}
			return rep.WriteText(cmd.OutOrStdout())
		},
	}
	cfg.Direct.Name, cfg.Via.Name = "direct", "via"
	fl := cmd.Flags()
	fl.StringVar(&cfg.Direct.URL, "direct", "", "base URL of the backend itself, e.g. http://127.0.0.1:9001")
	fl.StringVar(&cfg.Via.URL, "via", "", "base URL of the gateway in front of it, e.g. http://127.0.0.1:8700")
	fl.StringVar(&cfg.Direct.Model, "model", "", "model name sent to the backend")
	fl.StringVar(&viaModel, "via-model", "", "model (route) name sent to the gateway (default: --model)")
	fl.IntVar(&cfg.Direct.MaxTokens, "max-tokens", loadgen.DefaultMaxTokens, "max_tokens of every request")
	fl.Float64Var(&cfg.Rate, "rps", 1000, "open-loop rate of the short-completion phase, requests per second")
	fl.IntVar(&cfg.Streams, "streams", 200, "concurrent streams of the streaming phase (0: skip it)")
	fl.DurationVar(&cfg.Duration, "duration", 10*time.Second, "length of each phase on each side")
	fl.DurationVar(&cfg.Slice, "slice", time.Second, "the short-completion phase alternates sides every slice (0: all direct, then all via)")
	fl.DurationVar(&cfg.Warmup, "warmup", time.Second, "load sent to each side before measuring (0: none)")
	fl.DurationVar(&cfg.Client.Timeout, "timeout", loadgen.DefaultTimeout, "timeout of one request")
	fl.IntVar(&cfg.ViaPID, "via-pid", 0, "process id of the gateway, to report its VmRSS (Linux)")
	fl.StringVar(&directKey, "direct-api-key-env", "", "env var holding a Bearer key for the backend")
	fl.StringVar(&viaKey, "via-api-key-env", "", "env var holding a Bearer key for the gateway")
	fl.BoolVar(&noSat, "no-saturation", false, "skip the saturation search")
	fl.Float64Var(&sat.Start, "saturation-start", sat.Start, "first rate of the saturation search (default: --rps)")
	fl.Float64Var(&sat.Max, "saturation-max", sat.Max, "highest rate the saturation search tries")
	fl.Float64Var(&sat.Factor, "saturation-factor", sat.Factor, "rate multiplier between saturation steps")
	fl.DurationVar(&sat.Step, "saturation-step", sat.Step, "how long each saturation step lasts")
	fl.IntVar(&sat.Refine, "saturation-refine", sat.Refine, "bisection steps after the ramp")
	fl.DurationVar(&sat.MaxP50, "saturation-p50", sat.MaxP50, "median latency beyond which a rate is past saturation (0: no bound)")
	fl.DurationVar(&sat.MaxP99, "saturation-p99", sat.MaxP99, "p99 latency beyond which a rate is past saturation")
	fl.Float64Var(&sat.MaxErrorRate, "saturation-errors", sat.MaxErrorRate, "error rate (0-1) beyond which a rate is past saturation")
	fl.BoolVar(&asJSON, "json", false, "print the results as JSON")
	cmd.PreRun = func(cmd *cobra.Command, _ []string) { satStartSet = cmd.Flags().Changed("saturation-start") }
	return cmd
}
