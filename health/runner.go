package health

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"time"
)

// loop runs one check at once and then after every interval until ctx is
// done. A startup-only check stops once startup has latched.
func (c *Checker) loop(ctx context.Context, d *checkDef) {
	defer c.wg.Done()
	for {
		if !c.runOnce(ctx, d) {
			return
		}
		if d.startupOnly() && c.snap.Load().latched {
			return
		}
		t := c.clock.NewTimer(d.Interval)
		select {
		case <-ctx.Done():
			t.Stop()
			return
		case <-t.C():
		}
	}
}

// runOnce runs the check under its timeout and records the result. When the
// timeout passes first, the check is recorded as failed at once, and the next
// run waits until the stuck call returns, so runs never pile up. It returns
// false when ctx is done.
func (c *Checker) runOnce(ctx context.Context, d *checkDef) bool {
	start := c.clock.Now()
	callCtx, cancel := context.WithTimeout(ctx, d.Timeout)
	defer cancel()
	done := make(chan Result, 1)
	c.wg.Add(1)
	go func() {
		defer c.wg.Done()
		done <- call(callCtx, d.Func)
	}()
	var r Result
	returned := false
	select {
	case r = <-done:
		returned = true
	case <-callCtx.Done():
	}
	if ctx.Err() != nil {
		return false
	}
	if errors.Is(callCtx.Err(), context.DeadlineExceeded) {
		r = timedOut(d.Timeout, r)
	}
	c.record(d, r, start, c.clock.Now())
	if returned {
		return true
	}
	select {
	case <-done:
		return true
	case <-ctx.Done():
		return false
	}
}

// call runs f, turning a panic into a failed result.
func call(ctx context.Context, f CheckFunc) (r Result) {
	defer func() {
		if p := recover(); p != nil {
			r = Failf("check panicked: %v", p)
		}
	}()
	return f(ctx)
}

// timedOut is the result of a run that outlived its timeout; r is what the
// run returned, if it returned at all.
func timedOut(timeout time.Duration, r Result) Result {
	out := fmt.Sprintf("timed out after %s", timeout)
	if r.Status == StatusFail && r.Output != "" {
		out += ": " + r.Output
	}
	return Result{Status: StatusFail, Output: out}
}

// record debounces r into the cached state of d, publishes the new snapshot
// and tells the listener when the reported status changed.
func (c *Checker) record(d *checkDef, r Result, start, end time.Time) {
	if r.Status == "" {
		r.Status = StatusPass
	}
	if d.WarnOnly && r.Status == StatusFail {
		r.Status = StatusWarn
	}
	c.mu.Lock()
	old := c.snap.Load()
	prev := old.results[d.idx]
	next := debounce(prev, r.Status, end, d.threshold, d.FailAfter)
	next.Output = Redact(r.Output)
	next.Measurements = redactMeasurements(r.Measurements)
	next.Time = end
	next.Duration = end.Sub(start)
	next.Runs++
	results := slices.Clone(old.results)
	results[d.idx] = next
	c.publishLocked(newSnapshot(results, old.index, old.latched))
	c.mu.Unlock()

	if next.Status != prev.Status {
		c.listener.StatusChanged(Change{
			Check:               d.Name,
			Kind:                d.Kind,
			Critical:            next.Critical,
			From:                prev.Status,
			To:                  next.Status,
			Reason:              next.Output,
			ConsecutiveFailures: next.ConsecutiveFailures,
			Time:                end,
		})
	}
}

// redactMeasurements returns a copy of ms with every output and string value
// redacted.
func redactMeasurements(ms []Measurement) []Measurement {
	if len(ms) == 0 {
		return nil
	}
	out := make([]Measurement, len(ms))
	for i, m := range ms {
		m.Output = Redact(m.Output)
		if s, ok := m.Value.(string); ok {
			m.Value = Redact(s)
		}
		out[i] = m
	}
	return out
}
