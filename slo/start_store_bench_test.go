package slo

import (
	"context"
	"fmt"
	"path/filepath"
	"testing"
	"time"

	"github.com/flywheel-stack/flywheel/config"
	"github.com/flywheel-stack/flywheel/store"
	"github.com/flywheel-stack/flywheel/store/sqlite"
)

// BenchmarkStartFromSQLite measures what a gateway's start costs: reading
// 30 days of minutes from a SQLite store and rebuilding every SLO's state.
// The store holds the minutes of 1,000,000 inferences spread evenly over
// the 30 days (23 a minute), each judged by slos SLOs: 43,200 minute rows
// per SLO.
func BenchmarkStartFromSQLite(b *testing.B) {
	for _, n := range []int{3, 50} {
		b.Run(fmt.Sprintf("inferences=1M/slos=%d", n), func(b *testing.B) {
			slos := make([]config.SLO, n)
			for i := range slos {
				slos[i] = config.SLO{Name: fmt.Sprintf("slo-%d", i), Kind: config.SLOAvailability, Objective: 99.9, MinEvents: 10}
			}
			set := mustCompile(b, slos...)
			ctx := context.Background()
			st, err := sqlite.Open(ctx, filepath.Join(b.TempDir(), "flywheel.db"), sqlite.Options{})
			if err != nil {
				b.Fatal(err)
			}
			defer st.Close()
			now := t0.Add(30 * 24 * time.Hour)
			const minutes, inferences = 30 * 24 * 60, 1_000_000
			var batch []store.SLOMinute
			for m := range int64(minutes) {
				// inferences spread evenly: minute m holds those with
				// index in [m*inferences/minutes, (m+1)*inferences/minutes).
				events := uint64((m+1)*inferences/minutes - m*inferences/minutes)
				at := minuteTime(minuteOf(now) - minutes + m)
				for _, s := range slos {
					batch = append(batch, store.SLOMinute{SLO: s.Name, Minute: at, Good: events - uint64(m%2), Bad: uint64(m % 2)})
				}
				if len(batch) >= 10000 || m == minutes-1 {
					if err := st.AddSLOMinutes(ctx, batch); err != nil {
						b.Fatal(err)
					}
					batch = batch[:0]
				}
			}
			adapter := AdaptStore(st)
			b.ResetTimer()
			for b.Loop() {
				ev := NewEvaluator(set, EvaluatorOptions{Clock: clockAt(now), Store: adapter, Logger: discard()})
				if err := ev.Start(ctx); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}
