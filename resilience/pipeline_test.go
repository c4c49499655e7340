package resilience_test

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/flywheel-stack/flywheel/clock"
	"github.com/flywheel-stack/flywheel/resilience"
)

func TestPipelinePaths(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name         string
		fallback     resilience.Fallback[string]
		fallbackIf   func(error) bool
		fn           func(context.Context) (string, error)
		want         string
		wantPath     resilience.Path
		wantErr      bool
		wantAttempts int
	}{
		{"primary answers", resilience.FallbackValue("degraded"), nil,
			func(context.Context) (string, error) { return "fresh", nil }, "fresh", resilience.PathPrimary, false, 1},
		{"fallback value after failures", resilience.FallbackValue("degraded"), nil,
			func(context.Context) (string, error) { return "", errBoom }, "degraded", resilience.PathFallback, false, 2},
		{"fallback call", resilience.FallbackCall(func(context.Context) (string, error) { return "secondary", nil }), nil,
			func(context.Context) (string, error) { return "", errBoom }, "secondary", resilience.PathFallback, false, 2},
		{"fallback declines", resilience.FallbackValue("degraded"), func(error) bool { return false },
			func(context.Context) (string, error) { return "", errBoom }, "", resilience.PathPrimary, true, 2},
		{"no fallback", nil, nil,
			func(context.Context) (string, error) { return "", errBoom }, "", resilience.PathPrimary, true, 2},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			clk := clock.NewFake(t0)
			p := resilience.NewPipeline(resilience.PipelineConfig[string]{
				Retry:      resilience.NewRetrier(resilience.RetryConfig{MaxAttempts: 2, BaseDelay: time.Millisecond, Clock: clk}),
				Fallback:   tc.fallback,
				FallbackIf: tc.fallbackIf,
			})
			var r resilience.Result[string]
			driveUntilDone(t, clk, func() { r = p.Run(context.Background(), tc.fn) })
			if r.Value != tc.want || r.Path != tc.wantPath || (r.Err != nil) != tc.wantErr || r.Attempts != tc.wantAttempts {
				t.Fatalf("result %+v, want %q via %s (error %v) after %d attempts", r, tc.want, tc.wantPath, tc.wantErr, tc.wantAttempts)
			}
			if r.Path == resilience.PathFallback && !errors.Is(r.Cause, errBoom) {
				t.Fatalf("fallback cause = %v", r.Cause)
			}
		})
	}
}

func TestPipelineFallbackOnRejection(t *testing.T) {
	t.Parallel()
	b := resilience.NewBreaker(resilience.BreakerConfig{Clock: clock.NewFake(t0)})
	b.ForceOpen("test")
	p := resilience.NewPipeline(resilience.PipelineConfig[string]{Breaker: b, Fallback: resilience.FallbackValue("cached")})
	r := p.Run(context.Background(), func(context.Context) (string, error) { return "fresh", nil })
	if r.Value != "cached" || r.Path != resilience.PathFallback || !errors.Is(r.Cause, resilience.ErrOpen) {
		t.Fatalf("result %+v", r)
	}
}

func TestPipelineLastGoodFallback(t *testing.T) {
	t.Parallel()
	clk := clock.NewFake(t0)
	cache := resilience.NewLastGood[string](time.Minute, clk)
	p := resilience.NewPipeline(resilience.PipelineConfig[string]{Fallback: cache.Fallback()})
	up := true
	fn := cache.Wrap(func(context.Context) (string, error) {
		if up {
			return "answer", nil
		}
		return "", errBoom
	})
	if v, err := p.Do(context.Background(), fn); v != "answer" || err != nil {
		t.Fatalf("primary: %q %v", v, err)
	}
	up = false
	if r := p.Run(context.Background(), fn); r.Value != "answer" || r.Path != resilience.PathFallback {
		t.Fatalf("cached fallback: %+v", r)
	}
	clk.Advance(2 * time.Minute)
	if _, err := p.Do(context.Background(), fn); !errors.Is(err, errBoom) {
		t.Fatalf("stale cache served: %v", err)
	}
}

func TestPipelineTimeouts(t *testing.T) {
	t.Parallel()
	b := resilience.NewBreaker(resilience.BreakerConfig{})
	hang := func(ctx context.Context) (int, error) { <-ctx.Done(); return 0, ctx.Err() }

	p := resilience.NewPipeline(resilience.PipelineConfig[int]{Breaker: b, AttemptTimeout: 5 * time.Millisecond})
	_, err := p.Do(context.Background(), hang)
	if !errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("attempt timeout: %v", err)
	}
	if f := b.Snapshot().Totals.Failures; f != 1 {
		t.Fatalf("a timed-out attempt must count as a failure, got %d failures", f)
	}

	p = resilience.NewPipeline(resilience.PipelineConfig[int]{Timeout: 5 * time.Millisecond})
	_, err = p.Do(context.Background(), hang)
	if !errors.Is(err, resilience.ErrTimeout) || !errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("overall timeout: %v", err)
	}

	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	p = resilience.NewPipeline(resilience.PipelineConfig[int]{Breaker: b, Fallback: resilience.FallbackValue(9)})
	r := p.Run(ctx, hang)
	if r.Path != resilience.PathFallback && !errors.Is(r.Err, context.Canceled) {
		t.Fatalf("cancelled call: %+v", r)
	}
	if r.Path == resilience.PathFallback {
		t.Fatal("a caller that cancelled gets no fallback")
	}
	if s := b.Snapshot().Totals; s.Ignored != 1 || s.Failures != 1 {
		t.Fatalf("cancellation should be ignored by the breaker: %+v", s)
	}
}
