package writer_test

import (
	"context"
	"fmt"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/flywheel-stack/flywheel/config"
	"github.com/flywheel-stack/flywheel/internal/testenv"
	"github.com/flywheel-stack/flywheel/store"
	"github.com/flywheel-stack/flywheel/store/postgres"
	"github.com/flywheel-stack/flywheel/store/sqlite"
	"github.com/flywheel-stack/flywheel/store/storetest"
	"github.com/flywheel-stack/flywheel/store/writer"
	"github.com/flywheel-stack/flywheel/telemetry"
	"github.com/google/uuid"
)

// BenchmarkWriterThroughput records events with a ~1 KB prompt and a ~1 KB
// answer (as the gateway captures them: the request body and the raw JSON
// answer) as fast as the writer drains them, capture rules applied, and
// reports the sustained events/s into each store.
func BenchmarkWriterThroughput(b *testing.B) {
	prompt := []byte(fmt.Sprintf(`{"model":"chat","messages":[{"role":"user","content":%q}]}`,
		strings.Repeat("Explain circuit breakers in one paragraph. ", 23)))
	answer := []byte(fmt.Sprintf(`{"choices":[{"index":0,"message":{"role":"assistant","content":%q}}]}`,
		strings.Repeat("A circuit breaker stops calls to a failing service. ", 20)))
	capture := config.DefaultCapture()
	capture.Redact = []config.Regexp{config.MustRegexp(`sk-[A-Za-z0-9]{20,}`)}
	run := func(b *testing.B, st store.Store) {
		w := writer.New(st, writer.Options{Capture: capture, Logger: discardLogger()})
		start := time.Now()
		n := 0
		for b.Loop() {
			for w.Depth() >= 9000 { // keep below queue_size: measure the drain, not drops
				time.Sleep(100 * time.Microsecond) // pacing the producer (spinning would steal the writer's core)
			}
			id := uuid.Must(uuid.NewV7()).String()
			w.Record(&telemetry.Event{InferenceID: id, EpisodeID: id, Endpoint: "chat", Route: "chat",
				Backend: "llama", Model: "m", Attempts: 1, Status: telemetry.StatusOK, HTTPStatus: 200,
				Start: start, End: start.Add(time.Second), TokensIn: 250, TokensOut: 250,
				Request: prompt, ResponseBody: answer})
			n++
		}
		if err := w.Close(context.Background()); err != nil {
			b.Fatal(err)
		}
		b.ReportMetric(float64(n)/time.Since(start).Seconds(), "events/s")
	}
	b.Run("sqlite", func(b *testing.B) {
		st, err := sqlite.Open(context.Background(), filepath.Join(b.TempDir(), "f.db"), sqlite.Options{})
		if err != nil {
			b.Fatal(err)
		}
		defer st.Close()
		run(b, st)
	})
	b.Run("postgres", func(b *testing.B) {
		st, err := postgres.Open(context.Background(), storetest.PostgresSchema(b, testenv.PostgresDSN(b)), postgres.Options{})
		if err != nil {
			b.Fatal(err)
		}
		defer st.Close()
		run(b, st)
	})
}
