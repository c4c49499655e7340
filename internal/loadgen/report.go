package loadgen

import (
	"fmt"
	"io"
	"sort"
	"strings"
	"text/tabwriter"
	"time"
)

// WriteText prints r as tables for people: the phases side by side with
// what the gateway added, the saturation rates and the gateway's memory.
func (r Report) WriteText(w io.Writer) error {
	var b strings.Builder
	fmt.Fprintf(&b, "flywheel bench: model %s\n  direct %s\n  via    %s\n\n", r.Direct.Model, r.Direct.URL, r.Via.URL)

	fmt.Fprintf(&b, "Short completions, open loop at %g req/s for %v (latency from each request's scheduled send)\n",
		r.Rate, r.Duration)
	tw := tabwriter.NewWriter(&b, 0, 0, 2, ' ', tabwriter.AlignRight)
	fmt.Fprintln(tw, "\tsent\tok\terrors\tp50\tp90\tp99\tp99.9\tmax\t")
	for _, p := range []PhaseResult{r.Load.Direct, r.Load.Via} {
		fmt.Fprintf(tw, "%s\t%d\t%d\t%d\t%s\t%s\t%s\t%s\t%s\t\n", p.Target, p.Sent, p.OK, p.ErrorCount(),
			ms(p.Latency.P50), ms(p.Latency.P90), ms(p.Latency.P99), ms(p.Latency.P999), ms(p.Latency.Max))
	}
	fmt.Fprintf(tw, "added\t\t\t\t%s\t\t%s\t\t\t\n", signed(r.Load.Added.P50), signed(r.Load.Added.P99))
	_ = tw.Flush()
	writeErrors(&b, r.Load.Direct, r.Load.Via)

	if s := r.Stream; s != nil {
		fmt.Fprintf(&b, "\nStreams, %d concurrent for %v (time to first chunk and whole stream, from the send)\n", r.Streams, r.Duration)
		tw = tabwriter.NewWriter(&b, 0, 0, 2, ' ', tabwriter.AlignRight)
		fmt.Fprintln(tw, "\tstreams\tok\terrors\tfirst p50\tfirst p99\tstream p50\tstream p99\t")
		for _, p := range []PhaseResult{s.Direct, s.Via} {
			fmt.Fprintf(tw, "%s\t%d\t%d\t%d\t%s\t%s\t%s\t%s\t\n", p.Target, p.Sent, p.OK, p.ErrorCount(),
				ms(p.FirstChunk.P50), ms(p.FirstChunk.P99), ms(p.Latency.P50), ms(p.Latency.P99))
		}
		fmt.Fprintf(tw, "added\t\t\t\t%s\t%s\t%s\t%s\t\n", signed(s.Added.FirstChunkP50), signed(s.Added.FirstChunkP99),
			signed(s.Added.P50), signed(s.Added.P99))
		_ = tw.Flush()
		writeErrors(&b, s.Direct, s.Via)
	}

	if s := r.Saturation; s != nil {
		c := r.SearchConfig
		p50 := ""
		if c.MaxP50 > 0 {
			p50 = fmt.Sprintf(", p50 at most %v", c.MaxP50)
		}
		fmt.Fprintf(&b, "\nSaturation (highest open-loop rate with at most %.3g%% errors%s and p99 at most %v, %v per step)\n",
			100*c.MaxErrorRate, p50, c.MaxP99, c.Step)
		for _, sat := range []Saturation{s.Direct, s.Via} {
			capped := ""
			if sat.Capped {
				capped = " (the search's maximum: the target may go higher)"
			}
			fmt.Fprintf(&b, "  %-6s %8.0f req/s%s\n", sat.Target, sat.Rate, capped)
			for _, st := range sat.Steps {
				mark := "held"
				if !st.Held {
					mark = "broke: " + st.Why
				}
				fmt.Fprintf(&b, "         %8.0f req/s offered, %8.0f answered/s, p50 %s, p99 %s, %s\n",
					st.Rate, st.Throughput, ms(st.P50), ms(st.P99), mark)
			}
		}
	}

	if m := r.RSS; m != nil {
		fmt.Fprintf(&b, "\nGateway memory (pid %d, VmRSS)\n", m.PID)
		if m.PeakStreams > 0 {
			fmt.Fprintf(&b, "  peak while holding %d streams: %s\n", r.Streams, mib(m.PeakStreams))
		}
		if m.AfterSaturation > 0 {
			fmt.Fprintf(&b, "  after the saturation search:  %s\n", mib(m.AfterSaturation))
		}
	}
	_, err := io.WriteString(w, b.String())
	return err
}

// writeErrors lists the error classes of both sides, if any.
func writeErrors(b *strings.Builder, sides ...PhaseResult) {
	for _, p := range sides {
		if len(p.Errors) == 0 {
			continue
		}
		classes := make([]string, 0, len(p.Errors))
		for k := range p.Errors {
			classes = append(classes, k)
		}
		sort.Strings(classes)
		parts := make([]string, len(classes))
		for i, k := range classes {
			parts[i] = fmt.Sprintf("%s %d", k, p.Errors[k])
		}
		fmt.Fprintf(b, "  %s errors: %s\n", p.Target, strings.Join(parts, ", "))
	}
}

// ms formats a duration in milliseconds with microsecond precision.
func ms(d time.Duration) string { return fmt.Sprintf("%.3fms", float64(d)/float64(time.Millisecond)) }

// signed is ms with an explicit sign.
func signed(d time.Duration) string {
	return fmt.Sprintf("%+.3fms", float64(d)/float64(time.Millisecond))
}

// mib formats bytes in MiB.
func mib(n int64) string { return fmt.Sprintf("%.1f MiB", float64(n)/(1<<20)) }
