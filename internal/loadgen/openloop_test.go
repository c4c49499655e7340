package loadgen

import (
	"context"
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
