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
	"github.com/flywheel-stack/flywheel/store"
	"github.com/flywheel-stack/flywheel/store/open"
	"github.com/spf13/cobra"
)

func newInferencesCommand() *cobra.Command {
	var configPath string
	cmd := &cobra.Command{
		Use:   "inferences",
		Short: "List and show the inferences the gateway stored",
		Long: `Read the inference records of the configured store (store: in flywheel.yaml;
./flywheel-data/flywheel.db by default) directly, without a running gateway.`,
	}
	cmd.PersistentFlags().StringVarP(&configPath, "config", "c", "", "configuration file (default ./flywheel.yaml if present)")
	cmd.AddCommand(newInferencesListCommand(&configPath), newInferencesShowCommand(&configPath))
	return cmd
}

func newInferencesListCommand(configPath *string) *cobra.Command {
	var (
		q store.InferenceQuery
		l listFlags
	)
	cmd := &cobra.Command{
		Use:   "list",
		Short: "List inferences, newest first",
		Example: `  flywheel inferences list --route coder --since 1h
  flywheel inferences list --metric thumbs_up --json | jq .response`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			var err error
			if q.Since, err = l.sinceTime(); err != nil {
				return err
			}
			return withStore(cmd.Context(), *configPath, func(st store.Store) error {
				page, err := st.Inferences(cmd.Context(), q)
				if err != nil {
					return err
				}
				return writePage(cmd.OutOrStdout(), l, page.Inferences, page.NextCursor, printInferences)
			})
		},
	}
	f := cmd.Flags()
	f.StringVar(&q.Route, "route", "", "only this route (the model name clients ask for)")
	f.StringVar(&q.Backend, "backend", "", "only this backend")
	f.StringVar(&q.EpisodeID, "episode", "", "only this episode")
	f.StringVar(&q.FeedbackMetric, "metric", "", "only inferences with feedback on this metric")
	f.DurationVar(&l.since, "since", 0, "only inferences that started within this duration, like 1h")
	f.IntVar(&q.Limit, "limit", 20, "at most this many")
	f.StringVar(&q.Cursor, "cursor", "", "continue a listing where the previous page ended")
	f.BoolVar(&l.asJSON, "json", false, "one JSON object per line, with the captured request and response")
	return cmd
}

func newInferencesShowCommand(configPath *string) *cobra.Command {
	var asJSON bool
	cmd := &cobra.Command{
		Use:   "show ID",
		Short: "Show one inference with its request, response and feedback",
		Args:  cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			return withStore(cmd.Context(), *configPath, func(st store.Store) error {
				in, err := st.Inference(cmd.Context(), args[0])
				if errors.Is(err, store.ErrNotFound) {
					return fmt.Errorf("no inference %s in %s", args[0], st.Location())
				}
				if err != nil {
					return err
				}
				fb, err := st.Feedback(cmd.Context(), store.FeedbackQuery{InferenceID: in.ID, Limit: store.MaxLimit})
				if err != nil {
					return err
				}
				out := cmd.OutOrStdout()
				if asJSON {
					return writeJSON(out, struct {
						store.Inference
						Feedback []store.Feedback `json:"feedback"`
					}{in, fb.Feedback})
				}
				printInference(out, in, fb.Feedback)
				return nil
			})
		},
	}
	cmd.Flags().BoolVar(&asJSON, "json", false, "print JSON")
	return cmd
}

// withStore loads the configuration (-c, ./flywheel.yaml, or the defaults),
// opens its store, runs fn and closes the store.
func withStore(ctx context.Context, configPath string, fn func(store.Store) error) error {
	cfg, err := loadConfigOrDefault(configPath)
	if err != nil {
		return err
	}
	if ctx == nil {
		ctx = context.Background()
	}
	oc, cancel := context.WithTimeout(ctx, 15*time.Second)
	defer cancel()
	st, err := open.Store(oc, cfg.Store, nil)
	if st != nil {
		defer st.Close()
	}
	if err != nil {
		return err
	}
	return fn(st)
}

// loadConfigOrDefault reads -c, else ./flywheel.yaml when present, else
// uses the defaults (the local SQLite file).
func loadConfigOrDefault(path string) (*config.Config, error) {
	path, err := configFile(path)
	if err != nil {
		return nil, err
	}
	if path == "" {
		return config.Default(), nil
	}
	return config.Load(path)
}

func printInferences(w io.Writer, list []store.Inference) {
	if len(list) == 0 {
		fmt.Fprintln(w, "no inferences")
		return
	}
	tw := tabwriter.NewWriter(w, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "ID\tSTART\tROUTE\tTARGET\tSTATUS\tLATENCY\tTTFT\tTOKENS\tEPISODE")
	for _, in := range list {
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\t%s\t%s\t%d/%d\t%s\n", in.ID, in.Start.Local().Format("2006-01-02 15:04:05"),
			in.Route, target(in), status(in), ms(in.Latency), ms(in.TimeToFirstToken), in.TokensIn, in.TokensOut,
			shorten(in.EpisodeID, 36))
	}
	_ = tw.Flush()
}

func printInference(w io.Writer, in store.Inference, fb []store.Feedback) {
	tw := tabwriter.NewWriter(w, 0, 4, 2, ' ', 0)
	row := func(k, v string) {
		if v != "" {
			fmt.Fprintf(tw, "%s:\t%s\n", k, v)
		}
	}
	row("id", in.ID)
	row("episode", in.EpisodeID)
	row("user", in.User)
	row("endpoint", in.Endpoint)
	row("route", in.Route)
	row("target", target(in))
	row("status", status(in))
	row("http status", strconv.Itoa(in.HTTPStatus))
	row("attempts", strconv.Itoa(in.Attempts))
	row("fallback depth", strconv.Itoa(in.FallbackDepth))
	row("stream", strconv.FormatBool(in.Stream))
	row("start", in.Start.Local().Format(time.RFC3339Nano))
	row("latency", ms(in.Latency))
	row("time to first token", ms(in.TimeToFirstToken))
	row("tokens in/out", fmt.Sprintf("%d/%d", in.TokensIn, in.TokensOut))
	if in.TokensPerSecond > 0 {
		row("tokens/s", strconv.FormatFloat(in.TokensPerSecond, 'f', 1, 64))
	}
	_ = tw.Flush()
	if in.Request != "" {
		fmt.Fprintf(w, "\nrequest:\n%s\n", in.Request)
	}
	if in.Response != "" {
		fmt.Fprintf(w, "\nresponse:\n%s\n", in.Response)
	}
	fmt.Fprintf(w, "\nfeedback (%d):\n", len(fb))
	printFeedback(w, fb)
}

func target(in store.Inference) string {
	if in.Backend == "" {
		return "-"
	}
	return in.Backend + "/" + in.Model
}

func status(in store.Inference) string {
	if in.ErrorClass != "" {
		return in.Status + " (" + in.ErrorClass + ")"
	}
	return in.Status
}

func ms(d time.Duration) string {
	if d <= 0 {
		return "-"
	}
	return strconv.FormatFloat(float64(d)/float64(time.Millisecond), 'f', 1, 64) + "ms"
}

func shorten(s string, n int) string {
	s = strings.ReplaceAll(s, "\n", " ")
	if len(s) <= n {
		return s
	}
	return s[:n-1] + "…"
}
