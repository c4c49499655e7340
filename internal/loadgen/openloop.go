package loadgen

import (
	"context"
	"fmt"
	"sync"
	"sync/atomic"
	"time"

	"github.com/flywheel-stack/flywheel/clock"
)

// Doer sends one request and reports what it saw; *Client is one.
type Doer interface {
	Do(ctx context.Context, stream bool) Result
}

// OpenLoop sends plain chat completions to c on schedule s, each in its own
// goroutine at its due instant whatever happened to the ones before, and
// waits for every answer. Latency is measured from the due instant, so a
// server (or a load generator) that falls behind shows it.
func OpenLoop(ctx context.Context, clk clock.Clock, s Schedule, name string, c Doer) (PhaseResult, error) {
	ps, err := Interleaved(ctx, clk, s, 0, []string{name}, []Doer{c})
	if err != nil {
		return PhaseResult{}, err
	}
	return ps[0], nil
}

// Interleaved runs schedule s against each of cs in turn, in alternating
// slices of length slice (0 or more than s.Duration: one slice of the whole
// duration): the first for a slice, the next for a slice, and so on until
// each has had s.Duration. Every slice is an open loop at s.Rate that waits
// for its answers before the next starts, so the targets never share the
// machine at once, yet a disturbance that lasts seconds (another process at
// work) falls on all of them alike. It returns one result per Doer, named
// by names.
func Interleaved(ctx context.Context, clk clock.Clock, s Schedule, slice time.Duration, names []string, cs []Doer) ([]PhaseResult, error) {
	return interleaved(ctx, clk, s, slice, 0, names, cs)
}

// interleaved is Interleaved with an optional bound on requests in flight:
// above maxInFlight (when above 0), an arrival is not sent but recorded as
// ClassOverload, so that a target past saturation is not driven ever deeper
// into a backlog of connections it must then dig out of.
func interleaved(ctx context.Context, clk clock.Clock, s Schedule, slice time.Duration, maxInFlight int,
	names []string, cs []Doer) ([]PhaseResult, error) {
	if err := s.validate(); err != nil {
		return nil, err
	}
	if len(names) != len(cs) {
		return nil, fmt.Errorf("loadgen: %d names for %d targets", len(names), len(cs))
	}
	clk = clock.OrReal(clk)
	slices := sliceSchedule(s, slice)
	recs := make([]*recorder, len(cs))
	sent := make([]int, len(cs))
	elapsed := make([]time.Duration, len(cs))
	for i := range cs {
		recs[i] = newRecorder(s.Count())
	}
	for _, part := range slices {
		for i, c := range cs {
			if ctx.Err() != nil {
				break
			}
			var (
				wg       sync.WaitGroup
				inFlight atomic.Int64
			)
			start := clk.Now()
			sent[i] += pace(ctx, clk, part, start, func(_ int, due time.Time) {
				if maxInFlight > 0 && inFlight.Load() >= int64(maxInFlight) {
					recs[i].add(due, Result{Class: ClassOverload}, false)
					return
				}
				inFlight.Add(1)
				wg.Go(func() {
					defer inFlight.Add(-1)
					recs[i].add(due, c.Do(ctx, false), false)
				})
			})
			wg.Wait()
			elapsed[i] += clk.Since(start)
		}
	}
	out := make([]PhaseResult, len(cs))
	for i := range cs {
		out[i] = recs[i].result(names[i], sent[i], elapsed[i])
		out[i].Rate = s.Rate
	}
	return out, nil
}

// sliceSchedule cuts s into consecutive schedules of at most slice each,
// which together send s.Count() requests at s.Rate.
func sliceSchedule(s Schedule, slice time.Duration) []Schedule {
	if slice <= 0 || slice >= s.Duration {
		return []Schedule{s}
	}
	var parts []Schedule
	total := s.Count()
	per := Schedule{Rate: s.Rate, Duration: slice}.Count()
	for n := 0; n < total; n += per {
		k := min(per, total-n)
		// A schedule of k requests: just long enough that Count is k.
		parts = append(parts, Schedule{Rate: s.Rate, Duration: s.At(k-1) + 1})
	}
	return parts
}

// RunStreams holds n streamed chat completions open against c for d: each
// of n slots opens a stream, reads it to [DONE] and opens the next, until d
// has passed. Latency and time to first chunk are measured from each
// stream's send. It waits for the streams under way to finish.
func RunStreams(ctx context.Context, clk clock.Clock, n int, d time.Duration, name string, c Doer) PhaseResult {
	clk = clock.OrReal(clk)
	rec := newRecorder(n * 16)
	start := clk.Now()
	deadline := start.Add(d)
	var (
		wg   sync.WaitGroup
		sent atomic.Int64
	)
	for range n {
		wg.Go(func() {
			for ctx.Err() == nil && clk.Now().Before(deadline) {
				res := c.Do(ctx, true)
				sent.Add(1)
				rec.add(res.Sent, res, true)
				if countsAgainst(res.Class) {
					pause(ctx, clk, errorPause) // a refusing target must not be hammered in a hot loop
				}
			}
		})
	}
	wg.Wait()
	p := rec.result(name, int(sent.Load()), clk.Since(start))
	p.Streams = n
	return p
}

// errorPause is how long a stream slot waits after a failed stream.
const errorPause = 10 * time.Millisecond

// pause waits for d on clk or until ctx ends.
func pause(ctx context.Context, clk clock.Clock, d time.Duration) {
	t := clk.NewTimer(d)
	defer t.Stop()
	select {
	case <-ctx.Done():
	case <-t.C():
	}
}
