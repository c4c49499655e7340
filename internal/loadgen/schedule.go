package loadgen

import (
	"context"
	"fmt"
	"math"
	"time"

	"github.com/flywheel-stack/flywheel/clock"
)

// Schedule is an open-loop arrival plan: Rate requests per second, evenly
// spaced, for Duration. Request i is due at offset i/Rate from the start.
type Schedule struct {
	// Rate is the arrival rate in requests per second.
	Rate float64
	// Duration is how long arrivals keep coming.
	Duration time.Duration
}

// validate reports a schedule that cannot run.
func (s Schedule) validate() error {
	if !(s.Rate > 0) {
		return fmt.Errorf("loadgen: rate %g: must be above 0", s.Rate)
	}
	if s.Duration <= 0 {
		return fmt.Errorf("loadgen: duration %v: must be above 0", s.Duration)
	}
	if s.Count() == 0 {
		return fmt.Errorf("loadgen: %g req/s for %v sends no request", s.Rate, s.Duration)
	}
	return nil
}

// Count is the number of requests in the schedule: those due before
// Duration has passed.
func (s Schedule) Count() int {
	if !(s.Rate > 0) || s.Duration <= 0 {
		return 0
	}
	// The smallest n with At(n) ≥ Duration, settled against At itself so
	// that float rounding cannot add or lose an arrival.
	n := int(math.Ceil(s.Duration.Seconds() * s.Rate))
	for n > 0 && s.At(n-1) >= s.Duration {
		n--
	}
	for s.At(n) < s.Duration {
		n++
	}
	return n
}

// At is the offset from the start at which request i is due. Computing it
// from i (rather than adding an interval up) keeps rounding from drifting.
func (s Schedule) At(i int) time.Duration {
	return time.Duration(float64(i) * float64(time.Second) / s.Rate)
}

// pace calls launch(i, due) for every request of s, in order, as soon as
// clk says its due instant (start + At(i)) has come. When pace falls behind
// (the machine was busy) it launches every overdue request at once with its
// original due instant, so the delay shows in the latencies measured from
// it. It returns the number launched, fewer than Count when ctx ends first.
func pace(ctx context.Context, clk clock.Clock, s Schedule, start time.Time, launch func(i int, due time.Time)) int {
	n := s.Count()
	i := 0
	for i < n {
		now := clk.Now()
		for i < n {
			due := start.Add(s.At(i))
			if due.After(now) {
				break
			}
			launch(i, due)
			i++
		}
		if i == n {
			break
		}
		t := clk.NewTimer(start.Add(s.At(i)).Sub(now))
		select {
		case <-ctx.Done():
			t.Stop()
			return i
		case <-t.C():
		}
	}
	return i
}
