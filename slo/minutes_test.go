package slo

import (
	"context"
	"reflect"
	"sync"
	"testing"
	"time"

	"github.com/flywheel-stack/flywheel/config"
	"github.com/flywheel-stack/flywheel/telemetry"
	"github.com/prometheus/client_golang/prometheus/testutil"
)

func twoSLOs(t testing.TB) *Set {
	return mustCompile(t,
		config.SLO{Name: "avail", Route: "coder", Kind: config.SLOAvailability, Objective: 99},
		config.SLO{Name: "fast", Kind: config.SLOLatency, Objective: 95, Threshold: dur(time.Second)})
}

// TestRecorderCountsPerMinute feeds events across minutes, one late, and
// checks the drained counts and the exported counter.
func TestRecorderCountsPerMinute(t *testing.T) {
	t.Parallel()
	r := NewRecorder(twoSLOs(t))
	at := func(offset, latency time.Duration, status telemetry.Status) *telemetry.Event {
		e := answer(latency, latency/2, 10)
		e.Start = t0.Add(offset)
		e.End = e.Start.Add(latency)
		e.Status = status
		return &e
	}
	r.Record(at(0, 500*time.Millisecond, telemetry.StatusOK))                        // minute 0: avail good, fast good
	r.Record(at(10*time.Second, 2*time.Second, telemetry.StatusOK))                  // minute 0: avail good, fast bad
	r.Record(at(time.Minute, 100*time.Millisecond, telemetry.StatusDegraded))        // minute 1: avail bad
	r.Record(at(59*time.Second, 500*time.Millisecond, telemetry.StatusBackendError)) // minute 0, late: avail bad
	r.Record(at(2*time.Minute, time.Second, telemetry.StatusCancelled))              // not counted
	e := at(3*time.Minute, time.Second, telemetry.StatusOK)
	e.Route = "chat"
	r.Record(e) // minute 3: fast good only

	got := r.Minutes().Drain()
	m := func(i int) time.Time { return t0.Add(time.Duration(i) * time.Minute) }
	want := []MinuteCount{
		{SLO: "avail", Minute: m(0), Good: 2, Bad: 1},
		{SLO: "avail", Minute: m(1), Bad: 1},
		{SLO: "fast", Minute: m(0), Good: 1, Bad: 1},
		{SLO: "fast", Minute: m(3), Good: 1},
	}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("Drain =\n%+v\nwant\n%+v", got, want)
	}
	if again := r.Minutes().Drain(); len(again) != 0 {
		t.Errorf("second Drain = %+v, want nothing", again)
	}
	for _, c := range []struct {
		slo, result string
		want        float64
	}{{"avail", "good", 2}, {"avail", "bad", 2}, {"fast", "good", 2}, {"fast", "bad", 1}} {
		if got := testutil.ToFloat64(r.events.WithLabelValues(c.slo, c.result)); got != c.want {
			t.Errorf("flywheel_slo_events_total{slo=%q,result=%q} = %g, want %g", c.slo, c.result, got, c.want)
		}
	}
}

// TestMinutesSlots checks events whose minute shares a slot with another:
// the slot's takeover by a later minute, and events too late for any
// slot.
func TestMinutesSlots(t *testing.T) {
	t.Parallel()
	m := NewMinutes(twoSLOs(t))
	at := func(minute int) time.Time { return t0.Add(time.Duration(minute)*time.Minute + 30*time.Second) }
	m.Add(0, at(2), Good)
	m.Add(0, at(6), Bad)  // takes slot 2 over from minute 2
	m.Add(0, at(2), Good) // late: slot 2 holds minute 6
	m.Add(0, at(2), Bad)
	m.Add(0, at(10), Good) // takes slot 2 over from minute 6
	m.Add(0, at(7), NotCounted)
	m.Add(1, at(3), Bad)
	got := m.Drain()
	minute := func(i int) time.Time { return t0.Add(time.Duration(i) * time.Minute) }
	want := []MinuteCount{
		{SLO: "avail", Minute: minute(2), Good: 2, Bad: 1},
		{SLO: "avail", Minute: minute(6), Bad: 1},
		{SLO: "avail", Minute: minute(10), Good: 1},
		{SLO: "fast", Minute: minute(3), Bad: 1},
	}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("Drain =\n%+v\nwant\n%+v", got, want)
	}
	m.Add(0, at(10), Good) // the slot still holds minute 10 after the drain
	if got := m.Drain(); len(got) != 1 || got[0].Good != 1 || !got[0].Minute.Equal(minute(10)) {
		t.Errorf("Drain after the first = %+v, want minute 10 with 1 good", got)
	}
}

// TestRecorderConcurrent records from many goroutines and checks nothing is
// lost (run with -race).
func TestRecorderConcurrent(t *testing.T) {
	t.Parallel()
	r := NewRecorder(twoSLOs(t))
	st := NewMemoryStore()
	var wg sync.WaitGroup
	const workers, each = 8, 500
	for w := range workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range each {
				latency := time.Duration(i%2+1) * 700 * time.Millisecond // good, bad, good, ...
				e := answer(latency, time.Millisecond, 10)
				e.End = t0.Add(time.Duration(w*each+i) * 100 * time.Millisecond) // spans several minutes
				e.Start = e.End.Add(-latency)
				r.Record(&e)
			}
		}()
	}
	done := make(chan struct{})
	go func() {
		defer close(done)
		for range 50 {
			_ = st.AddMinutes(context.Background(), r.Minutes().Drain())
		}
	}()
	wg.Wait()
	<-done
	_ = st.AddMinutes(context.Background(), r.Minutes().Drain())
	rows, _ := st.Minutes(context.Background(), t0, t0.Add(time.Hour))
	var good, bad [2]uint64
	for _, row := range rows {
		i := map[string]int{"avail": 0, "fast": 1}[row.SLO]
		good[i] += row.Good
		bad[i] += row.Bad
	}
	if good[0] != workers*each || bad[0] != 0 || good[1] != workers*each/2 || bad[1] != workers*each/2 {
		t.Errorf("good %v bad %v, want avail %d/0, fast %d/%d", good, bad, workers*each, workers*each/2, workers*each/2)
	}
}

func TestMinuteOf(t *testing.T) {
	t.Parallel()
	for _, c := range []struct {
		t    time.Time
		want int64
	}{{time.Unix(0, 0), 0}, {time.Unix(59, 999), 0}, {time.Unix(60, 0), 1}, {time.Unix(-1, 0), -1}, {time.Unix(-60, 0), -1}, {time.Unix(-61, 0), -2}} {
		if got := minuteOf(c.t); got != c.want {
			t.Errorf("minuteOf(%v) = %d, want %d", c.t.Unix(), got, c.want)
		}
	}
}
