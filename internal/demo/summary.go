package demo

import (
	"cmp"
	"context"
	"fmt"
	"io"
	"maps"
	"math"
	"slices"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/flywheel-stack/flywheel/config"
)

// Section is a titled block of the summary: the store's account, then
// those the Reports add.
type Section struct {
	Title string
	Lines []string
}

// Report computes a section of the summary. It runs after the traffic and
// the gateway have stopped (telemetry sinks have been handed every event),
// before the summary is printed. cfg is the configuration the gateway ran
// with; its store section points at the demo's data folder, kept after the
// run.
type Report func(ctx context.Context, cfg *config.Config) (Section, error)

// Percentiles are order statistics of a set of durations.
type Percentiles struct {
	// N is how many durations there were; the percentiles are 0 when N is 0.
	N             int
	P50, P95, P99 time.Duration
}

// percentiles computes nearest-rank percentiles of ds (which it sorts).
func percentiles(ds []time.Duration) Percentiles {
	slices.Sort(ds)
	p := Percentiles{N: len(ds)}
	if len(ds) == 0 {
		return p
	}
	at := func(q float64) time.Duration {
		i := int(math.Ceil(q*float64(len(ds)))) - 1
		return ds[min(max(i, 0), len(ds)-1)]
	}
	p.P50, p.P95, p.P99 = at(0.50), at(0.95), at(0.99)
	return p
}

// Phase is one part of the run: before, during and after the outage.
type Phase struct {
	// Name says what the primary was doing.
	Name string
	// From and To bound the phase, from the start of the run; requests
	// count in the phase they were sent in.
	From, To time.Duration
	// Requests, OK and Fallbacks count as in Summary.
	Requests, OK, Fallbacks int
	// ServedBy counts the answers by backend.
	ServedBy map[string]int
	// Latency is the time to the whole answer, for the answered requests.
	Latency Percentiles
}

// Summary is what a run of the demo measured, as the client saw it.
type Summary struct {
	// Duration is how long traffic ran.
	Duration time.Duration
	// Interrupted is set when the run was stopped before its duration.
	Interrupted bool
	// Requests is every request sent; Streamed those that asked for a
	// stream.
	Requests, Streamed int
	// OK is the requests answered in full (a stream through [DONE]);
	// Failed the others.
	OK, Failed int
	// Fallbacks is the answers from a target other than the first of
	// their route.
	Fallbacks int
	// Degraded is the route's degraded answers (every target failed).
	Degraded int
	// ServedBy counts the answers by backend.
	ServedBy map[string]int
	// Latency is the time to the whole answer, for every answered request.
	Latency Percentiles
	// TTFT is the time to the first token of the answered streams.
	TTFT Percentiles
	// PrimaryBreaker is the key of the primary's breaker.
	PrimaryBreaker string
	// Transitions are every breaker transition, in order.
	Transitions []Transition
	// Phases split the run at the outage.
	Phases []Phase
	// Problems counts the failures by what went wrong.
	Problems map[string]int
	// Storage is what the run left in its store; nil when it could not be
	// read back.
	Storage *Storage
	// SLOs are the demo's SLOs as the run left them; nil when they could
	// not be read (a section says why).
	SLOs []SLOResult
	// Sections are the extra blocks: the store's, the SLOs', then the
	// Reports'.
	Sections []Section
}

// SuccessRate is OK over Requests (1 with no requests).
func (s *Summary) SuccessRate() float64 {
	if s.Requests == 0 {
		return 1
	}
	return float64(s.OK) / float64(s.Requests)
}

// TransitionsOf returns the transitions of one breaker, in order.
func (s *Summary) TransitionsOf(breaker string) []Transition {
	var out []Transition
	for _, t := range s.Transitions {
		if t.Breaker == breaker {
			out = append(out, t)
		}
	}
	return out
}

// phaseSpan is a phase's name and bounds.
type phaseSpan struct {
	name     string
	from, to time.Duration
}

// summarize computes the summary of a run's results.
func summarize(results []result, rec *recorder, ran time.Duration, spans []phaseSpan, transitions []Transition) *Summary {
	s := &Summary{Duration: ran, ServedBy: map[string]int{}, Problems: map[string]int{},
		PrimaryBreaker: primaryName + "/" + primaryModel, Transitions: transitions}
	for _, sp := range spans {
		s.Phases = append(s.Phases, Phase{Name: sp.name, From: sp.from, To: sp.to, ServedBy: map[string]int{}})
	}
	var latencies, ttfts []time.Duration
	phaseLatencies := make([][]time.Duration, len(s.Phases))
	for i := range results {
		r := &results[i]
		s.Requests++
		if r.kind.stream {
			s.Streamed++
		}
		if r.degraded {
			s.Degraded++
		}
		var ph *Phase
		var phLat *[]time.Duration
		for j := range s.Phases {
			if r.sent >= s.Phases[j].From && (r.sent < s.Phases[j].To || j == len(s.Phases)-1) {
				ph, phLat = &s.Phases[j], &phaseLatencies[j]
				break
			}
		}
		if ph != nil {
			ph.Requests++
		}
		if !r.ok {
			s.Failed++
			s.Problems[shortProblem(r.problem)]++
			continue
		}
		s.OK++
		s.ServedBy[r.backend]++
		latencies = append(latencies, r.latency)
		if r.kind.stream && r.ttft > 0 {
			ttfts = append(ttfts, r.ttft)
		}
		fb := rec.isFallback(r)
		if fb {
			s.Fallbacks++
		}
		if ph != nil {
			ph.OK++
			ph.ServedBy[r.backend]++
			*phLat = append(*phLat, r.latency)
			if fb {
				ph.Fallbacks++
			}
		}
	}
	s.Latency, s.TTFT = percentiles(latencies), percentiles(ttfts)
	for j := range s.Phases {
		s.Phases[j].Latency = percentiles(phaseLatencies[j])
	}
	return s
}

// shortProblem keeps the first line of a problem, bounded.
func shortProblem(p string) string {
	p, _, _ = strings.Cut(p, "\n")
	if len(p) > 160 {
		p = p[:160] + "..."
	}
	return p
}

// Write prints the summary.
func (s *Summary) Write(w io.Writer) error {
	var b strings.Builder
	p := func(format string, args ...any) { fmt.Fprintf(&b, format+"\n", args...) }
	title := fmt.Sprintf("Summary: %d requests in %.1fs (%d streamed)", s.Requests, s.Duration.Seconds(), s.Streamed)
	if s.Interrupted {
		title += ", interrupted"
	}
	p("")
	p("%s", title)
	tw := tabwriter.NewWriter(&b, 0, 0, 2, ' ', 0)
	row := func(k, format string, args ...any) {
		fmt.Fprintf(tw, "  %s\t"+format+"\n", append([]any{k}, args...)...)
	}
	row("success rate", "%.1f%%  (%d answered in full, %d failed, %d degraded answers)", 100*s.SuccessRate(), s.OK, s.Failed, s.Degraded)
	row("fallbacks", "%d  (answered by a later target of their route's chain)", s.Fallbacks)
	row("served by", "%s", servedBy(s.ServedBy))
	row("latency", "p50 %s  p95 %s  p99 %s  (whole answer, %d answered requests)",
		ms(s.Latency.P50), ms(s.Latency.P95), ms(s.Latency.P99), s.Latency.N)
	row("first token", "p50 %s  (%d streams)", ms(s.TTFT.P50), s.TTFT.N)
	_ = tw.Flush()

	p("")
	p("By phase")
	tw = tabwriter.NewWriter(&b, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "  time\tprimary\trequests\tsuccess\tfallbacks\tp50\tserved by")
	for _, ph := range s.Phases {
		rate := 100.0
		if ph.Requests > 0 {
			rate = 100 * float64(ph.OK) / float64(ph.Requests)
		}
		fmt.Fprintf(tw, "  %.1fs-%.1fs\t%s\t%d\t%.1f%%\t%d\t%s\t%s\n", ph.From.Seconds(), ph.To.Seconds(), ph.Name,
			ph.Requests, rate, ph.Fallbacks, ms(ph.Latency.P50), servedBy(ph.ServedBy))
	}
	_ = tw.Flush()

	p("")
	p("Breaker transitions")
	if len(s.Transitions) == 0 {
		p("  (none)")
	}
	tw = tabwriter.NewWriter(&b, 0, 0, 2, ' ', 0)
	for _, t := range s.Transitions {
		fmt.Fprintf(tw, "  %.2fs\t%s\t%s -> %s\t%s\n", t.At.Seconds(), t.Breaker, t.From, t.To, t.Reason)
	}
	_ = tw.Flush()

	if len(s.Problems) > 0 {
		p("")
		p("Failures")
		keys := slices.SortedFunc(maps.Keys(s.Problems), func(a, b string) int {
			return cmp.Or(cmp.Compare(s.Problems[b], s.Problems[a]), cmp.Compare(a, b))
		})
		for i, k := range keys {
			if i == 5 {
				p("  ... and %d other kinds", len(keys)-5)
				break
			}
			p("  %4d  %s", s.Problems[k], k)
		}
	}
	for _, sec := range s.Sections {
		p("")
		p("%s", sec.Title)
		for _, l := range sec.Lines {
			p("  %s", l)
		}
	}
	_, err := io.WriteString(w, b.String())
	return err
}

// servedBy lists answer counts by backend, largest first.
func servedBy(m map[string]int) string {
	if len(m) == 0 {
		return "-"
	}
	keys := slices.SortedFunc(maps.Keys(m), func(a, b string) int { return cmp.Or(cmp.Compare(m[b], m[a]), cmp.Compare(a, b)) })
	parts := make([]string, len(keys))
	for i, k := range keys {
		parts[i] = fmt.Sprintf("%s %d", k, m[k])
	}
	return strings.Join(parts, ", ")
}

// ms formats a duration in milliseconds, with a decimal below 10 ms.
func ms(d time.Duration) string {
	v := float64(d) / float64(time.Millisecond)
	if v < 10 {
		return fmt.Sprintf("%.1fms", v)
	}
	return fmt.Sprintf("%.0fms", v)
}
