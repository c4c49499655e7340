package health

import (
	"context"
	"fmt"
	"time"
)

// HeartbeatName is the name of the built-in liveness check, which reflects
// only the checker's own background loop.
const HeartbeatName = "heartbeat"

// heartbeatLoop ticks every interval while ctx lasts. Each tick takes the
// checker's lock, so a deadlock there stops the heartbeat and, after
// HeartbeatTimeout, fails liveness.
func (c *Checker) heartbeatLoop(ctx context.Context) {
	defer c.wg.Done()
	for {
		t := c.clock.NewTimer(c.opts.Interval)
		select {
		case <-ctx.Done():
			t.Stop()
			return
		case <-t.C():
		}
		c.mu.Lock()
		c.beat.Store(c.clock.Now().UnixNano())
		c.publishLocked(c.snap.Load())
		c.mu.Unlock()
	}
}

// heartbeatStatus is the heartbeat's status as of now, without building a
// result: what the /livez hot path reads.
func (c *Checker) heartbeatStatus(now time.Time) Status {
	ns := c.beat.Load()
	if ns == 0 || now.Sub(time.Unix(0, ns)) > c.opts.HeartbeatTimeout {
		return StatusFail
	}
	return StatusPass
}

// heartbeat returns the built-in liveness check as of now: it fails before
// Start and when the background loop has not ticked within HeartbeatTimeout.
// It never looks at a dependency.
func (c *Checker) heartbeat(now time.Time) CheckResult {
	r := CheckResult{
		Name:          HeartbeatName,
		Kind:          Liveness,
		ComponentType: "system",
		Critical:      true,
		Weight:        -1,
		Status:        StatusPass,
		Observed:      StatusPass,
		EverPassed:    true,
	}
	ns := c.beat.Load()
	if ns == 0 {
		r.Status, r.Observed, r.Output = StatusFail, StatusFail, "checker not started"
		return r
	}
	last := time.Unix(0, ns)
	age := now.Sub(last)
	r.Time = last
	r.Runs = 1
	r.Measurements = []Measurement{{Name: "age", Value: age.Seconds(), Unit: "s"}}
	if age > c.opts.HeartbeatTimeout {
		r.Status, r.Observed = StatusFail, StatusFail
		r.Output = fmt.Sprintf("background loop has not ticked for %s (limit %s)", age.Round(time.Millisecond), c.opts.HeartbeatTimeout)
		r.Measurements[0].Status = StatusFail
	}
	return r
}
