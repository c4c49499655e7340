package slo

import (
	"fmt"
	"testing"
	"time"

	"github.com/flywheel-stack/flywheel/config"
)

// BenchmarkRecord measures the request-path cost of judging one inference
// against n SLOs that all match it, counting it per minute and in the
// Prometheus counter. ns/slo is the cost per matching SLO (goal <= 100 ns,
// 0 allocs).
func BenchmarkRecord(b *testing.B) {
	for _, n := range []int{1, 10, 50} {
		b.Run(fmt.Sprintf("slos=%d", n), func(b *testing.B) {
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
			b.ReportAllocs()
			b.ResetTimer()
			for i := 0; b.Loop(); i++ {
				e.End = e.Start.Add(time.Duration(i%4096) * time.Millisecond) // stays within a few minutes
				r.Record(&e)
			}
			b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N)/float64(n), "ns/slo")
		})
	}
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
			b.ReportAllocs()
			var sink Result
			for b.Loop() {
				sink += o.Judge(&e)
			}
			_ = sink
		})
	}
}
