package loadgen

import (
	"context"
	"sync"
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
	if err := s.validate(); err != nil {
		return PhaseResult{}, err
	}
	clk = clock.OrReal(clk)
	rec := newRecorder(s.Count())
	var wg sync.WaitGroup
	start := clk.Now()
	sent := pace(ctx, clk, s, start, func(_ int, due time.Time) {
		wg.Go(func() { rec.add(due, c.Do(ctx, false), false) })
	})
	wg.Wait()
	p := rec.result(name, sent, clk.Since(start))
	p.Rate = s.Rate
	return p, nil
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
		mu   sync.Mutex
		sent int
	)
	for range n {
		wg.Go(func() {
			for ctx.Err() == nil && clk.Now().Before(deadline) {
				res := c.Do(ctx, true)
				mu.Lock()
				sent++
				mu.Unlock()
				rec.add(res.Sent, res, true)
				if countsAgainst(res.Class) {
					pause(ctx, clk, errorPause) // a refusing target must not be hammered in a hot loop
				}
			}
		})
	}
	wg.Wait()
	p := rec.result(name, sent, clk.Since(start))
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
