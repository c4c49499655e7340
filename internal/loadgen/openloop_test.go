package loadgen

import (
	"context"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/flywheel-stack/flywheel/simulate"
)

func TestOpenLoopSendsTheWholeSchedule(t *testing.T) {
	t.Parallel()
	url, sim := newSim(t, simulate.Faults{})
	c := newClient(t, url)
	s := Schedule{Rate: 400, Duration: 50 * time.Millisecond}
	p, err := OpenLoop(context.Background(), nil, s, "direct", c)
	if err != nil {
		t.Fatal(err)
	}
	if p.Sent != s.Count() || p.OK != s.Count() || p.ErrorCount() != 0 {
		t.Fatalf("sent %d ok %d errors %v, want all %d answered", p.Sent, p.OK, p.Errors, s.Count())
	}
	wctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	if _, err := sim.WaitStats(wctx, func(st simulate.Stats) bool { return st.Completed == int64(s.Count()) }); err != nil {
		t.Errorf("simulator completed %d, want %d", sim.Stats().Completed, s.Count())
	}
	if p.Latency.Count != p.OK || p.Service.Count != p.OK || p.FirstChunk.Count != 0 {
		t.Errorf("sample counts: latency %d service %d first chunk %d", p.Latency.Count, p.Service.Count, p.FirstChunk.Count)
	}
	// Latency counts from the due instant, which is never after the send.
	if p.Latency.Max < p.Service.Max || p.Latency.P50 <= 0 {
		t.Errorf("latency %+v vs service %+v", p.Latency, p.Service)
	}
	if p.Target != "direct" || p.Rate != 400 {
		t.Errorf("labels: %q %g", p.Target, p.Rate)
	}
}

func TestOpenLoopCountsErrorsApart(t *testing.T) {
	t.Parallel()
	url, _ := newSim(t, simulate.Faults{ErrorRate: 1, Status: 503})
	c := newClient(t, url)
	s := Schedule{Rate: 200, Duration: 50 * time.Millisecond}
	p, err := OpenLoop(context.Background(), nil, s, "direct", c)
	if err != nil {
		t.Fatal(err)
	}
	if p.OK != 0 || p.Errors["status_503"] != s.Count() || p.ErrorRate() != 1 {
		t.Errorf("ok %d errors %v rate %g, want every request a 503", p.OK, p.Errors, p.ErrorRate())
	}
	if p.Latency.Count != 0 {
		t.Errorf("failed requests entered the latency percentiles: %+v", p.Latency)
	}
}

func TestOpenLoopRejectsAnEmptySchedule(t *testing.T) {
	t.Parallel()
	if _, err := OpenLoop(context.Background(), nil, Schedule{}, "x", nil); err == nil {
		t.Error("want an error for a zero schedule")
	}
}

// countingDoer answers every request at once, counting them.
type countingDoer struct {
	calls   atomic.Int64
	streams atomic.Int64
}

func (d *countingDoer) Do(_ context.Context, stream bool) Result {
	d.calls.Add(1)
	if stream {
		d.streams.Add(1)
	}
	now := time.Now()
	return Result{Sent: now, FirstChunk: now, Done: now, Status: 200}
}

func TestRunStreamsKeepsSlotsBusy(t *testing.T) {
	t.Parallel()
	url, sim := newSim(t, simulate.Faults{})
	c := newClient(t, url)
	p := RunStreams(context.Background(), nil, 4, 30*time.Millisecond, "via", c)
	if p.Sent < 4 || p.OK != p.Sent || p.ErrorCount() != 0 {
		t.Fatalf("sent %d ok %d errors %v: want every slot to stream at least once, all complete", p.Sent, p.OK, p.Errors)
	}
	if p.FirstChunk.Count != p.OK || p.FirstChunk.Max > p.Latency.Max {
		t.Errorf("first chunk %+v latency %+v", p.FirstChunk, p.Latency)
	}
	if got := sim.Stats().Streams; got != int64(p.Sent) { // counted when its headers go, before the client reads
		t.Errorf("simulator saw %d streams, the run sent %d", got, p.Sent)
	}
	if p.Streams != 4 {
		t.Errorf("Streams = %d", p.Streams)
	}
}

func TestRunStreamsStopsWithTheRun(t *testing.T) {
	t.Parallel()
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	d := &countingDoer{}
	p := RunStreams(ctx, nil, 8, time.Hour, "via", d)
	if p.Sent != 0 || d.calls.Load() != 0 {
		t.Errorf("a cancelled run sent %d", p.Sent)
	}
}

func TestSliceSchedule(t *testing.T) {
	t.Parallel()
	s := Schedule{Rate: 1000, Duration: 2500 * time.Millisecond}
	parts := sliceSchedule(s, time.Second)
	var counts []int
	total := 0
	for _, p := range parts {
		if p.Rate != s.Rate {
			t.Errorf("slice rate %g", p.Rate)
		}
		counts = append(counts, p.Count())
		total += p.Count()
	}
	if len(parts) != 3 || counts[0] != 1000 || counts[1] != 1000 || counts[2] != 500 || total != s.Count() {
		t.Errorf("slices of %v: counts %v (total %d), want 1000, 1000, 500", s, counts, total)
	}
	for _, slice := range []time.Duration{0, 2500 * time.Millisecond, time.Hour} {
		if parts := sliceSchedule(s, slice); len(parts) != 1 || parts[0] != s {
			t.Errorf("slice %v: %v, want the schedule whole", slice, parts)
		}
	}
	// Odd rates still add up.
	odd := Schedule{Rate: 333, Duration: 3 * time.Second}
	sum := 0
	for _, p := range sliceSchedule(odd, 700*time.Millisecond) {
		sum += p.Count()
	}
	if sum != odd.Count() {
		t.Errorf("333 req/s in 700 ms slices: %d requests, want %d", sum, odd.Count())
	}
}

// orderDoer records which side each request went to.
type orderDoer struct {
	name  string
	order chan<- string
}

func (d orderDoer) Do(_ context.Context, _ bool) Result {
	d.order <- d.name
	now := time.Now()
	return Result{Sent: now, FirstChunk: now, Done: now, Status: 200}
}

func TestInterleavedAlternatesSides(t *testing.T) {
	t.Parallel()
	order := make(chan string, 100)
	s := Schedule{Rate: 1000, Duration: 12 * time.Millisecond}
	ps, err := Interleaved(context.Background(), nil, s, 4*time.Millisecond, []string{"a", "b"},
		[]Doer{orderDoer{"a", order}, orderDoer{"b", order}})
	if err != nil {
		t.Fatal(err)
	}
	close(order)
	var runs []string
	for name := range order {
		if len(runs) == 0 || runs[len(runs)-1] != name {
			runs = append(runs, name)
		}
	}
	// Each slice waits for its answers, so the sides never mix.
	if got := strings.Join(runs, ""); got != "ababab" {
		t.Errorf("sides in order %q, want ababab", got)
	}
	for _, p := range ps {
		if p.Sent != 12 || p.OK != 12 || p.Rate != 1000 {
			t.Errorf("%s: sent %d ok %d rate %g, want 12 each at 1000", p.Target, p.Sent, p.OK, p.Rate)
		}
	}
	if _, err := Interleaved(context.Background(), nil, s, 0, []string{"a"}, nil); err == nil {
		t.Error("names and targets of different lengths: want an error")
	}
}
