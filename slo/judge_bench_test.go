package slo

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/flywheel-stack/flywheel/clock"
	"github.com/flywheel-stack/flywheel/config"
	"github.com/flywheel-stack/flywheel/telemetry"
)

// BenchmarkRecord measures the request-path cost of judging one inference
// against n SLOs that all match it, counting it per minute and in the
// Prometheus counter. ns/slo is the cost per matching SLO (goal <= 100 ns,
// 0 allocs). The SLOs select backend llama: "answered" is an answer from
// it; "covered" an answer from remote after llama failed (availability
// SLOs count llama's failure, the others nothing).
func BenchmarkRecord(b *testing.B) {
	for _, c := range []struct {
		name    string
		targets [][2]string
	}{
		{"answered", [][2]string{{"llama", "answered"}}},
		{"covered", [][2]string{{"llama", "failed"}, {"remote", "answered"}}},
	} {
		for _, n := range []int{1, 10, 50} {
			b.Run(fmt.Sprintf("%s/slos=%d", c.name, n), func(b *testing.B) {
				benchmarkRecord(b, n, c.targets)
			})
		}
	}
}

// benchmarkRecord records an answer judged by n SLOs on backend llama,
// after the given targets, each {backend, "answered" or "failed"}.
func benchmarkRecord(b *testing.B, n int, targets [][2]string) {
	kinds := []config.SLO{
		{Kind: config.SLOAvailability, Objective: 99.5},
		{Kind: config.SLOLatency, Objective: 99, Threshold: dur(2 * time.Second)},
		{Kind: config.SLOTTFT, Objective: 95, Threshold: dur(800 * time.Millisecond)},
		{Kind: config.SLOInterTokenLatency, Objective: 99, Threshold: dur(50 * time.Millisecond)},
		{Kind: config.SLOThroughput, Objective: 90, Threshold: num(20)},
	}
	slos := make([]config.SLO, n)
	for i := range slos {
		slos[i] = kinds[i%len(kinds)]
		slos[i].Name = fmt.Sprintf("slo-%d", i)
		slos[i].Route = "coder"
		slos[i].Backend = "llama"
	}
	r := NewRecorder(mustCompile(b, slos...))
	e := answer(1500*time.Millisecond, 300*time.Millisecond, 100)
	for _, t := range targets {
		o := telemetry.OutcomeFailed
		if t[1] == "answered" {
			o = telemetry.OutcomeAnswered
		}
		e.AddTried(t[0], "qwen", o)
		e.Backend = t[0]
	}
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; b.Loop(); i++ {
		e.End = e.Start.Add(time.Duration(i%4096) * time.Millisecond) // stays within a few minutes
		r.Record(&e)
	}
	b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N)/float64(n), "ns/slo")
}

// BenchmarkJudge measures judging alone, per SLO kind.
func BenchmarkJudge(b *testing.B) {
	for _, c := range []config.SLO{
		{Name: "availability", Kind: config.SLOAvailability, Objective: 99.5},
		{Name: "ttft", Kind: config.SLOTTFT, Objective: 95, Threshold: dur(800 * time.Millisecond)},
		{Name: "inter_token_latency", Kind: config.SLOInterTokenLatency, Objective: 99, Threshold: dur(50 * time.Millisecond)},
		{Name: "throughput", Kind: config.SLOThroughput, Objective: 90, Threshold: num(20)},
	} {
		b.Run(c.Name, func(b *testing.B) {
			o := mustCompile(b, c).At(0)
			e := answer(1500*time.Millisecond, 300*time.Millisecond, 100)
			e.AddTried("llama", "qwen", telemetry.OutcomeAnswered)
			b.ReportAllocs()
			var sink uint32
			for b.Loop() {
				sink += o.Judge(&e).Good
			}
			_ = sink
		})
	}
}

// BenchmarkEvaluate50SLOs30Days measures one evaluation of 50 SLOs whose
// 30-day periods are full of minutes (goal <= 50 ms).
func BenchmarkEvaluate50SLOs30Days(b *testing.B) {
	slos := make([]config.SLO, 50)
	for i := range slos {
		slos[i] = config.SLO{Name: fmt.Sprintf("slo-%d", i), Kind: config.SLOAvailability, Objective: 99.9, MinEvents: 10}
	}
	set := mustCompile(b, slos...)
	now := t0.Add(30 * 24 * time.Hour)
	ev := NewEvaluator(set, EvaluatorOptions{Clock: clockAt(now), Logger: discard()})
	start := minuteOf(now) - 30*24*60
	for i := range set.Len() {
		h := ev.hist[i]
		h.advance(minuteOf(now))
		for m := start; m < minuteOf(now); m++ {
			h.set(m, 1000, uint64(m%7))
		}
	}
	ev.status = ev.emptyStatus(minuteOf(now))
	ev.started = true
	ctx := context.Background()
	b.ReportAllocs()
	for b.Loop() {
		ev.Tick(ctx)
	}
}

// BenchmarkStart measures rebuilding the state of 50 SLOs from a store
// holding 30 days of their minutes (2.16 million rows).
func BenchmarkStart(b *testing.B) {
	slos := make([]config.SLO, 50)
	for i := range slos {
		slos[i] = config.SLO{Name: fmt.Sprintf("slo-%d", i), Kind: config.SLOAvailability, Objective: 99.9, MinEvents: 10}
	}
	set := mustCompile(b, slos...)
	now := t0.Add(30 * 24 * time.Hour)
	var rows []MinuteCount
	for m := minuteOf(now) - 30*24*60; m < minuteOf(now); m++ {
		for i := range slos {
			rows = append(rows, MinuteCount{SLO: slos[i].Name, Minute: minuteTime(m), Good: 1000, Bad: uint64(m % 7)})
		}
	}
	store := sliceStore(rows)
	ctx := context.Background()
	b.ReportAllocs()
	for b.Loop() {
		ev := NewEvaluator(set, EvaluatorOptions{Clock: clockAt(now), Store: store, Logger: discard()})
		if err := ev.Start(ctx); err != nil {
			b.Fatal(err)
		}
	}
}

// sliceStore returns its rows whatever the range: the benchmark measures
// the evaluator, not a store.
type sliceStore []MinuteCount

func (s sliceStore) AddMinutes(context.Context, []MinuteCount) error { return nil }

func (s sliceStore) Minutes(context.Context, time.Time, time.Time) ([]MinuteCount, error) {
	return s, nil
}

func clockAt(t time.Time) clock.Clock { return clock.NewFake(t) }
