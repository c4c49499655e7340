package main

import (
	"fmt"
	"io"
	"strconv"
	"text/tabwriter"

	"github.com/flywheel-stack/flywheel/store"
	"github.com/spf13/cobra"
)

func newFeedbackCommand() *cobra.Command {
	var configPath string
	cmd := &cobra.Command{
		Use:   "feedback",
		Short: "List the feedback people gave, from the configured store",
	}
	cmd.PersistentFlags().StringVarP(&configPath, "config", "c", "", "configuration file (default ./flywheel.yaml if present)")
	cmd.AddCommand(newFeedbackListCommand(&configPath))
	return cmd
}

func newFeedbackListCommand(configPath *string) *cobra.Command {
	var (
		q store.FeedbackQuery
		l listFlags
	)
	cmd := &cobra.Command{
		Use:     "list",
		Short:   "List feedback, newest first",
		Example: "  flywheel feedback list --metric thumbs_up\n  flywheel feedback list --inference 0193... --json",
		Args:    cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			var err error
			if q.Since, err = l.sinceTime(); err != nil {
				return err
			}
			return withStore(cmd.Context(), *configPath, func(st store.Store) error {
				page, err := st.Feedback(cmd.Context(), q)
				if err != nil {
					return err
				}
				return writePage(cmd.OutOrStdout(), l, page.Feedback, page.NextCursor, printFeedback)
			})
		},
	}
	f := cmd.Flags()
	f.StringVar(&q.Metric, "metric", "", "only this metric")
	f.StringVar(&q.InferenceID, "inference", "", "only feedback on this inference (and on its episode)")
	f.StringVar(&q.EpisodeID, "episode", "", "only feedback given on this episode")
	f.DurationVar(&l.since, "since", 0, "only feedback given within this duration, like 24h")
	f.IntVar(&q.Limit, "limit", 50, "at most this many")
	f.StringVar(&q.Cursor, "cursor", "", "continue a listing where the previous page ended")
	f.BoolVar(&l.asJSON, "json", false, "one JSON object per line")
	return cmd
}

func printFeedback(w io.Writer, list []store.Feedback) {
	if len(list) == 0 {
		fmt.Fprintln(w, "no feedback")
		return
	}
	tw := tabwriter.NewWriter(w, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "ID\tCREATED\tON\tMETRIC\tVALUE\tCOMMENT")
	for _, f := range list {
		on := "inference " + f.InferenceID
		if f.EpisodeID != "" {
			on = "episode " + shorten(f.EpisodeID, 36)
		}
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\t%s\n", f.ID, f.Created.Local().Format("2006-01-02 15:04:05"), on, f.Metric,
			feedbackValue(f), shorten(f.Comment, 60))
	}
	_ = tw.Flush()
}

func feedbackValue(f store.Feedback) string {
	switch {
	case f.Value != nil && f.Kind == "boolean":
		return strconv.FormatBool(*f.Value == 1)
	case f.Value != nil:
		return strconv.FormatFloat(*f.Value, 'g', -1, 64)
	}
	return strconv.Quote(shorten(f.Text, 60))
}
