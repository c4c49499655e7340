package main

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/flywheel-stack/flywheel/simulate"
	"github.com/spf13/cobra"
)

// newSimulateCommand builds `flywheel simulate`: a simulated
// OpenAI-compatible inference server with faults on demand.
func newSimulateCommand() *cobra.Command {
	var (
		listen string
		cfg    simulate.Config
		f      = &cfg.Faults
	)
	cmd := &cobra.Command{
		Use:   "simulate --listen ADDR --model NAME",
		Short: "Run a simulated OpenAI-compatible model server, with faults on demand",
		Long: `Serve a simulated OpenAI-compatible inference server: chat completions,
completions, embeddings, the model list (streaming included) and a
llama.cpp-style /health. Answers are deterministic text derived from the
prompt. Faults set by the flags below can be changed while it runs:

  curl -X POST ADDR/_sim/faults -d '{"error_rate":0.2,"status":503,"retry_after":5}'
  curl -X DELETE ADDR/_sim/faults     # healthy again
  curl ADDR/_sim/stats                # what it has seen

See docs/simulator.md.`,
		Example: `  flywheel simulate --listen 127.0.0.1:8080 --model qwen2.5-coder-7b-instruct
  flywheel simulate --model m --ttft 200ms --tokens-per-second 30 --cut-after-chunks 5`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			srv, err := simulate.New(cfg)
			if err != nil {
				return err
			}
			ctx := cmd.Context()
			url, shutdown, err := srv.Listen(ctx, listen)
			if err != nil {
				return err
			}
			fmt.Fprintf(cmd.OutOrStdout(), "simulating %s at %s (ttft %v, %g tokens/s); faults at %s/_sim/faults, stats at %s/_sim/stats\n",
				strings.Join(srv.Models(), ", "), url, f.TTFT, f.TokensPerSecond, url, url)
			<-ctx.Done()
			sctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
			defer cancel()
			return shutdown(sctx)
		},
	}
	fl := cmd.Flags()
	fl.StringVar(&listen, "listen", "127.0.0.1:8080", "address to listen on (port 0 picks a free one)")
	fl.StringSliceVar(&cfg.Models, "model", nil, "model name to serve (repeat or comma-separate for several)")
	fl.IntVar(&cfg.Dimensions, "dimensions", simulate.DefaultDimensions, "length of embedding vectors")
	fl.Uint64Var(&cfg.Seed, "seed", 0, "seed for the error_rate decisions (0: random)")
	fl.DurationVar(&f.TTFT, "ttft", 50*time.Millisecond, "time to first token, and before a non-streaming answer")
	fl.Float64Var(&f.TokensPerSecond, "tokens-per-second", 100, "pace of streamed tokens, one per chunk (0: no pacing)")
	fl.Float64Var(&f.ErrorRate, "error-rate", 0, "fraction of API requests (0 to 1) answered with --status")
	fl.IntVar(&f.Status, "status", 500, "HTTP status of injected errors")
	fl.IntVar(&f.RetryAfter, "retry-after", 0, "Retry-After seconds sent with 429 and 503 answers (0: none)")
	fl.BoolVar(&f.Hang, "hang", false, "accept API requests and never answer them")
	fl.BoolVar(&f.Reset, "reset", false, "close every API connection abruptly with a TCP reset")
	fl.IntVar(&f.CutAfterChunks, "cut-after-chunks", 0, "end every stream abruptly after N chunks (0: never)")
	fl.StringVar(&f.BrokenAnswer, "broken-answer", "", `answer every API request with a 200 that is no answer: "truncated" JSON, an "html" page or an "empty" body`)
	fl.DurationVar(&f.LoadingFor, "loading-for", 0, `answer 503 "Loading model" for this long after start`)
	fl.Int64Var(&cfg.MaxBodyBytes, "max-body-bytes", simulate.DefaultMaxBodyBytes, "largest request body accepted (413 beyond)")
	_ = cmd.MarkFlagRequired("model")
	return cmd
}
