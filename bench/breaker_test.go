package bench

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/failsafe-go/failsafe-go"
	"github.com/failsafe-go/failsafe-go/circuitbreaker"
	"github.com/failsafe-go/failsafe-go/retrypolicy"
	"github.com/flywheel-stack/flywheel/resilience"
	"github.com/sony/gobreaker/v2"
)

var errDown = errors.New("down")

func ok(context.Context) (int, error) { return 1, nil }
func okPlain() (int, error)           { return 1, nil }

// sink keeps results alive so the compiler cannot drop the calls.
var sink int

// BenchmarkBreaker measures a successful call through a closed breaker.
// Every library trips on five consecutive failures, as gobreaker does by
// default; flywheel-rate and flywheel-slow add a failure-rate rule over a
// 100-call window and slow-call detection over a 60 s time window (the
// gateway's defaults), which cost a few atomic operations more.
func BenchmarkBreaker(b *testing.B) {
	ctx := context.Background()
	b.Run("flywheel", func(b *testing.B) {
		cb := resilience.NewBreaker(resilience.BreakerConfig{ConsecutiveFailures: 5})
		b.ReportAllocs()
		for b.Loop() {
			v, _ := resilience.Execute(ctx, cb, ok)
			sink += v
		}
	})
	b.Run("flywheel-rate", func(b *testing.B) {
		cb := resilience.NewBreaker(resilience.BreakerConfig{ConsecutiveFailures: 5, FailureRate: 0.5, WindowSize: 100})
		b.ReportAllocs()
		for b.Loop() {
			v, _ := resilience.Execute(ctx, cb, ok)
			sink += v
		}
	})
	b.Run("flywheel-slow", func(b *testing.B) {
		cb := resilience.NewBreaker(resilience.BreakerConfig{FailureRate: 0.5, SlowCallRate: 0.8, SlowCall: 20 * time.Second,
			Window: resilience.TimeWindow, WindowDuration: time.Minute})
		b.ReportAllocs()
		for b.Loop() {
			v, _ := resilience.Execute(ctx, cb, ok)
			sink += v
		}
	})
	b.Run("gobreaker", func(b *testing.B) {
		cb := gobreaker.NewCircuitBreaker[int](gobreaker.Settings{Name: "bench"})
		b.ReportAllocs()
		for b.Loop() {
			v, _ := cb.Execute(okPlain)
			sink += v
		}
	})
	b.Run("failsafe", func(b *testing.B) {
		cb := circuitbreaker.NewBuilder[int]().WithFailureThreshold(5).Build()
		exec := failsafe.With[int](cb)
		b.ReportAllocs()
		for b.Loop() {
			v, _ := exec.Get(okPlain)
			sink += v
		}
	})
}

// BenchmarkBreakerParallel is BenchmarkBreaker's success path from every
// core at once: it shows what a mutex per call costs under contention.
func BenchmarkBreakerParallel(b *testing.B) {
	ctx := context.Background()
	b.Run("flywheel", func(b *testing.B) {
		cb := resilience.NewBreaker(resilience.BreakerConfig{ConsecutiveFailures: 5})
		b.ReportAllocs()
		b.RunParallel(func(pb *testing.PB) {
			for pb.Next() {
				_, _ = resilience.Execute(ctx, cb, ok)
			}
		})
	})
	b.Run("gobreaker", func(b *testing.B) {
		cb := gobreaker.NewCircuitBreaker[int](gobreaker.Settings{Name: "bench"})
		b.ReportAllocs()
		b.RunParallel(func(pb *testing.PB) {
			for pb.Next() {
				_, _ = cb.Execute(okPlain)
			}
		})
	})
	b.Run("failsafe", func(b *testing.B) {
		cb := circuitbreaker.NewBuilder[int]().WithFailureThreshold(5).Build()
		exec := failsafe.With[int](cb)
		b.ReportAllocs()
		b.RunParallel(func(pb *testing.PB) {
			for pb.Next() {
				_, _ = exec.Get(okPlain)
			}
		})
	})
}

// BenchmarkBreakerOpen measures a rejection while the breaker is open.
func BenchmarkBreakerOpen(b *testing.B) {
	ctx := context.Background()
	b.Run("flywheel", func(b *testing.B) {
		cb := resilience.NewBreaker(resilience.BreakerConfig{ConsecutiveFailures: 1, OpenFor: time.Hour})
		_ = cb.Do(ctx, func(context.Context) error { return errDown })
		b.ReportAllocs()
		for b.Loop() {
			if _, err := resilience.Execute(ctx, cb, ok); err == nil {
				b.Fatal("admitted")
			}
		}
	})
	b.Run("gobreaker", func(b *testing.B) {
		cb := gobreaker.NewCircuitBreaker[int](gobreaker.Settings{Name: "bench", Timeout: time.Hour,
			ReadyToTrip: func(gobreaker.Counts) bool { return true }})
		_, _ = cb.Execute(func() (int, error) { return 0, errDown })
		b.ReportAllocs()
		for b.Loop() {
			if _, err := cb.Execute(okPlain); err == nil {
				b.Fatal("admitted")
			}
		}
	})
	b.Run("failsafe", func(b *testing.B) {
		cb := circuitbreaker.NewBuilder[int]().WithDelay(time.Hour).Build()
		cb.Open()
		exec := failsafe.With[int](cb)
		b.ReportAllocs()
		for b.Loop() {
			if _, err := exec.Get(okPlain); err == nil {
				b.Fatal("admitted")
			}
		}
	})
}

// BenchmarkPipeline measures a successful call through retry around a
// breaker (no timeout policy).
func BenchmarkPipeline(b *testing.B) {
	ctx := context.Background()
	b.Run("flywheel", func(b *testing.B) {
		p := resilience.NewPipeline(resilience.PipelineConfig[int]{
			Breaker: resilience.NewBreaker(resilience.BreakerConfig{ConsecutiveFailures: 5}),
			Retry:   resilience.NewRetrier(resilience.RetryConfig{MaxAttempts: 3, BaseDelay: 10 * time.Millisecond}),
		})
		b.ReportAllocs()
		for b.Loop() {
			v, _ := p.Do(ctx, ok)
			sink += v
		}
	})
	b.Run("failsafe", func(b *testing.B) {
		rp := retrypolicy.NewBuilder[int]().WithMaxAttempts(3).WithBackoff(10*time.Millisecond, time.Second).Build()
		cb := circuitbreaker.NewBuilder[int]().WithFailureThreshold(5).Build()
		exec := failsafe.With[int](rp, cb)
		b.ReportAllocs()
		for b.Loop() {
			v, _ := exec.Get(okPlain)
			sink += v
		}
	})
}
