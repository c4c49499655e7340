package storetest

import (
	"context"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/flywheel-stack/flywheel/store"
	"github.com/google/uuid"
)

// kiloPrompt and kiloAnswer are ~1 KB request and response texts, the size
// the throughput goals are stated for.
var (
	kiloPrompt = `{"model":"chat","messages":[{"role":"system","content":"You are a careful assistant."},{"role":"user","content":"` +
		strings.Repeat("Explain circuit breakers in one paragraph. ", 22) + `"}]}`
	kiloAnswer = strings.Repeat("A circuit breaker stops calls to a failing service for a while. ", 16)
)

// BenchmarkWriteInferences writes batches of batchSize inferences with ~1 KB
// prompts and answers, and reports events/s.
func BenchmarkWriteInferences(b *testing.B, st store.Store, batchSize int) {
	ctx := context.Background()
	start := time.Now().UTC().Truncate(time.Microsecond)
	batch := make([]store.Inference, batchSize)
	for i := range batch {
		batch[i] = Sample(uuid.Must(uuid.NewV7()).String(), start)
		batch[i].Request, batch[i].Response = kiloPrompt, kiloAnswer
	}
	b.SetBytes(int64(batchSize * (len(kiloPrompt) + len(kiloAnswer))))
	b.ResetTimer()
	events := 0
	t0 := time.Now()
	for b.Loop() {
		b.StopTimer()
		for i := range batch {
			batch[i].ID = uuid.Must(uuid.NewV7()).String()
		}
		b.StartTimer()
		if err := st.WriteInferences(ctx, batch); err != nil {
			b.Fatal(err)
		}
		events += batchSize
	}
	b.ReportMetric(float64(events)/time.Since(t0).Seconds(), "events/s")
}

// BenchmarkWriteFeedback writes one feedback at a time, durably, and
// reports the median latency.
func BenchmarkWriteFeedback(b *testing.B, st store.Store) {
	ctx := context.Background()
	v := 1.0
	var lat []time.Duration
	for b.Loop() {
		f := store.Feedback{ID: uuid.Must(uuid.NewV7()).String(), InferenceID: uuid.Must(uuid.NewV7()).String(),
			Metric: "thumbs_up", Kind: "boolean", Value: &v, Comment: "good", Created: time.Now()}
		t0 := time.Now()
		if _, _, err := st.WriteFeedback(ctx, f); err != nil {
			b.Fatal(err)
		}
		lat = append(lat, time.Since(t0))
	}
	slices.Sort(lat)
	b.ReportMetric(float64(lat[len(lat)/2].Microseconds()), "p50-µs")
	b.ReportMetric(float64(lat[len(lat)*99/100].Microseconds()), "p99-µs")
}
