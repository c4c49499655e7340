package demo

import (
	"strings"
	"testing"
	"time"

	"github.com/flywheel-stack/flywheel/resilience"
)

func TestPercentiles(t *testing.T) {
	t.Parallel()
	ms := time.Millisecond
	seq := func(n int) []time.Duration {
		out := make([]time.Duration, n)
		for i := range out {
			out[n-1-i] = time.Duration(i+1) * ms // descending: percentiles must sort
		}
		return out
	}
	for _, tt := range []struct {
		name string
		in   []time.Duration
		want Percentiles
	}{
		{"empty", nil, Percentiles{}},
		{"one", []time.Duration{7 * ms}, Percentiles{N: 1, P50: 7 * ms, P95: 7 * ms, P99: 7 * ms}},
		{"two", []time.Duration{9 * ms, 1 * ms}, Percentiles{N: 2, P50: 1 * ms, P95: 9 * ms, P99: 9 * ms}},
		{"hundred", seq(100), Percentiles{N: 100, P50: 50 * ms, P95: 95 * ms, P99: 99 * ms}},
		{"thousand", seq(1000), Percentiles{N: 1000, P50: 500 * ms, P95: 950 * ms, P99: 990 * ms}},
	} {
		if got := percentiles(tt.in); got != tt.want {
			t.Errorf("%s: %+v, want %+v", tt.name, got, tt.want)
		}
	}
}

func TestSummarize(t *testing.T) {
	t.Parallel()
	rec := newRecorder(demoRoutes())
	coder := requestKind{"coder", "/v1/chat/completions", true}
	plain := requestKind{"assistant", "/v1/completions", false}
	results := []result{
		{kind: coder, sent: 1 * time.Second, latency: 100 * time.Millisecond, ttft: 10 * time.Millisecond, ok: true, backend: primaryName},
		{kind: coder, sent: 4 * time.Second, latency: 300 * time.Millisecond, ttft: 50 * time.Millisecond, ok: true, backend: remoteName},
		{kind: plain, sent: 5 * time.Second, latency: 200 * time.Millisecond, ok: true, backend: remoteName},
		{kind: plain, sent: 6 * time.Second, latency: 20 * time.Millisecond, ok: true, backend: flakyName},
		{kind: coder, sent: 8 * time.Second, ok: false, problem: "stream ended without [DONE]", status: 200, backend: primaryName},
	}
	spans := phases(outageTimes{down: 3 * time.Second, back: 7 * time.Second}, 9*time.Second)
	s := summarize(results, rec, 9*time.Second, spans, []Transition{{At: 3 * time.Second, Breaker: "x", From: "closed", To: "open"}})
	if s.Requests != 5 || s.OK != 4 || s.Failed != 1 || s.Streamed != 3 || s.Fallbacks != 2 {
		t.Errorf("counts: %+v", s)
	}
	if s.ServedBy[remoteName] != 2 || s.ServedBy[primaryName] != 1 || s.ServedBy[flakyName] != 1 {
		t.Errorf("served by %v", s.ServedBy)
	}
	if s.Latency.N != 4 || s.Latency.P50 != 100*time.Millisecond || s.TTFT.N != 2 || s.TTFT.P50 != 10*time.Millisecond {
		t.Errorf("latency %+v, ttft %+v", s.Latency, s.TTFT)
	}
	if len(s.Phases) != 3 || s.Phases[0].Requests != 1 || s.Phases[1].Requests != 3 || s.Phases[1].Fallbacks != 2 ||
		s.Phases[2].Requests != 1 || s.Phases[2].OK != 0 {
		t.Errorf("phases %+v", s.Phases)
	}
	if s.Phases[1].Latency != (Percentiles{N: 3, P50: 200 * time.Millisecond, P95: 300 * time.Millisecond, P99: 300 * time.Millisecond}) {
		t.Errorf("latency while down: %+v", s.Phases[1].Latency)
	}
	if s.SuccessRate() != 0.8 || s.Problems["stream ended without [DONE]"] != 1 {
		t.Errorf("success %v, problems %v", s.SuccessRate(), s.Problems)
	}
	s.Sections = []Section{{Title: "Stored", Lines: []string{"5 inferences"}}}
	var out strings.Builder
	if err := s.Write(&out); err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"Summary: 5 requests in 9.0s (3 streamed)", "success rate  80.0%", "fallbacks     2",
		"served by     remote 2, local-fast 1, local-flaky 1", "p50 100ms", "first token   p50 10ms  (2 streams)",
		"3.0s-7.0s  local-fast down  3         100.0%   2          200ms  remote 2, local-flaky 1", "3.00s  x  closed -> open", "Failures", "1  stream ended without [DONE]",
		"Stored\n  5 inferences"} {
		if !strings.Contains(out.String(), want) {
			t.Errorf("summary lacks %q:\n%s", want, out.String())
		}
	}
}

func TestPhases(t *testing.T) {
	t.Parallel()
	for _, tt := range []struct {
		ot   outageTimes
		want int
	}{{outageTimes{}, 1}, {outageTimes{down: time.Second}, 2}, {outageTimes{down: time.Second, back: 2 * time.Second}, 3}} {
		ps := phases(tt.ot, 3*time.Second)
		if len(ps) != tt.want || ps[0].from != 0 || ps[len(ps)-1].to != 3*time.Second {
			t.Errorf("phases(%+v) = %+v", tt.ot, ps)
		}
		for i := 1; i < len(ps); i++ {
			if ps[i].from != ps[i-1].to {
				t.Errorf("phases(%+v) leave a gap: %+v", tt.ot, ps)
			}
		}
	}
}

func TestProgressLine(t *testing.T) {
	t.Parallel()
	tl := newTimeline(time.Now())
	rec := newRecorder(demoRoutes())
	rec.add(result{kind: mix[0], ok: true, backend: remoteName})
	rec.add(result{kind: mix[0], ok: false})
	tl.note(time.Second, true, "down")
	d := &display{total: 10 * time.Second, tl: tl, rec: rec, breaker: "local-fast/" + primaryModel}
	if got, want := d.line(5*time.Second), "[######------] 5.0s/10s  2 req  50.0% ok  1 fallbacks  breaker closed"; got != want {
		t.Errorf("line\n got %q\nwant %q", got, want)
	}
	if got, want := d.counts(), "2 requests, 50.0% ok, 1 fallbacks | local-fast DOWN, breaker closed"; got != want {
		t.Errorf("counts\n got %q\nwant %q", got, want)
	}
	if got := d.line(20 * time.Second); !strings.HasPrefix(got, "[############] 10.0s/10s") {
		t.Errorf("a full bar: %q", got)
	}
	// A long run with many requests still fits an 80-column terminal.
	for range 12345 {
		rec.add(result{kind: mix[0], ok: true, backend: remoteName})
	}
	tl.breakerChanged(resilience.Transition{Breaker: d.breaker, From: resilience.StateOpen, To: resilience.StateHalfOpen})
	d.total = 90 * time.Minute
	if got := d.line(89 * time.Minute); len(got) > 79 {
		t.Errorf("line of %d characters: %q", len(got), got)
	}
}
