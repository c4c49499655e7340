package writer_test

import (
	"context"
	"os"
	"path/filepath"
	"runtime"
	"runtime/debug"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/flywheel-stack/flywheel/config"
	"github.com/flywheel-stack/flywheel/store/sqlite"
	"github.com/flywheel-stack/flywheel/store/writer"
	"github.com/flywheel-stack/flywheel/telemetry"
	"github.com/google/uuid"
	"github.com/prometheus/client_golang/prometheus"
)

// TestMemoryProbe is a measurement, not a check: it records
// FLYWHEEL_MEMORY_PROBE events (a millisecond's pause every 4, short chat answers
// captured) through a writer into the default SQLite store and logs the
// process's resident memory, so that what the store adds to a gateway can
// be compared across changes (docs/benchmarks.md). It is skipped unless
// the variable is set:
//
//	FLYWHEEL_MEMORY_PROBE=200000 go test -count=1 -run TestMemoryProbe -v ./store/writer
func TestMemoryProbe(t *testing.T) {
	n, _ := strconv.Atoi(os.Getenv("FLYWHEEL_MEMORY_PROBE"))
	if n <= 0 {
		t.Skip("set FLYWHEEL_MEMORY_PROBE to a number of events to measure the store's memory")
	}
	ctx := context.Background()
	t.Logf("start: %s", memory())
	st, err := sqlite.Open(ctx, filepath.Join(t.TempDir(), "f.db"), sqlite.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	cfg := config.Default()
	w := writer.New(st, writer.Options{QueueSize: cfg.Store.QueueSize, BatchSize: cfg.Store.BatchSize,
		FlushInterval: cfg.Store.FlushInterval, Capture: cfg.Capture, Logger: discardLogger()})
	req := []byte(`{"model":"m","messages":[{"role":"user","content":"Say hello in a few words, please."}],"max_tokens":16}`)
	resp := []byte(`{"id":"chatcmpl-1","object":"chat.completion","created":1,"model":"m","choices":[{"index":0,"message":` +
		`{"role":"assistant","content":"lorem ipsum dolor sit amet consectetur adipiscing elit sed do eiusmod tempor"},` +
		`"finish_reason":"length"}],"usage":{"prompt_tokens":12,"completion_tokens":16,"total_tokens":28}}`)
	start := time.Now()
	for i := range n {
		id := uuid.Must(uuid.NewV7()).String()
		now := time.Now()
		w.Record(&telemetry.Event{InferenceID: id, EpisodeID: id, Endpoint: "chat", Route: "m", Backend: "sim", Model: "m",
			Attempts: 1, Status: telemetry.StatusOK, HTTPStatus: 200, Start: now, End: now, TokensIn: 12, TokensOut: 16,
			Request: req, ResponseBody: resp})
		if i%4 == 3 {
			time.Sleep(time.Millisecond) // a steady pace, not a burst the queue drops
		}
	}
	t.Logf("recorded %d in %v: %s", n, time.Since(start).Round(time.Millisecond), memory())
	if err := w.Close(ctx); err != nil {
		t.Fatal(err)
	}
	reg := prometheus.NewRegistry()
	reg.MustRegister(w)
	families, _ := reg.Gather()
	for _, mf := range families {
		switch mf.GetName() {
		case "flywheel_telemetry_write_duration_seconds":
			h := mf.GetMetric()[0].GetHistogram()
			t.Logf("%d batches, mean write %.1f ms", h.GetSampleCount(), 1000*h.GetSampleSum()/float64(h.GetSampleCount()))
		case "flywheel_telemetry_written_total":
			t.Logf("written %g", mf.GetMetric()[0].GetCounter().GetValue())
		}
	}
	runtime.GC()
	debug.FreeOSMemory()
	t.Logf("after close and GC: %s", memory())
}

// memory is the process's VmRSS and VmHWM and Go's own share.
func memory() string {
	status, _ := os.ReadFile("/proc/self/status")
	var out []string
	for _, line := range strings.Split(string(status), "\n") {
		if strings.HasPrefix(line, "VmRSS") || strings.HasPrefix(line, "VmHWM") {
			out = append(out, strings.Join(strings.Fields(line), " "))
		}
	}
	var m runtime.MemStats
	runtime.ReadMemStats(&m)
	return strings.Join(out, ", ") + ", Go runtime " + strconv.FormatUint(m.Sys>>20, 10) + " MiB"
}
