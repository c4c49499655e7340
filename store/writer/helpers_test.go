package writer_test

import (
	"context"
	"log/slog"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/flywheel-stack/flywheel/store/writer"
	"github.com/prometheus/client_golang/prometheus"
	dto "github.com/prometheus/client_model/go"
)

// countingHandler counts log records at warn and above.
type countingHandler struct {
	mu sync.Mutex
	n  int
}

func (h *countingHandler) Enabled(context.Context, slog.Level) bool { return true }
func (h *countingHandler) Handle(_ context.Context, r slog.Record) error {
	if r.Level >= slog.LevelWarn {
		h.mu.Lock()
		h.n++
		h.mu.Unlock()
	}
	return nil
}
func (h *countingHandler) WithAttrs([]slog.Attr) slog.Handler { return h }
func (h *countingHandler) WithGroup(string) slog.Handler      { return h }

func (h *countingHandler) count() int {
	h.mu.Lock()
	defer h.mu.Unlock()
	return h.n
}

func discardLogger() *slog.Logger { return slog.New(slog.DiscardHandler) }

// waitFor waits until cond holds, failing the test after 10 s.
func waitFor(t *testing.T, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatal("condition not reached within 10s")
		}
		time.Sleep(time.Millisecond)
	}
}

// metric returns the writer's metric with this name (no labels).
func metric(t *testing.T, w *writer.Writer, name string) prometheus.Collector {
	t.Helper()
	return filtered{w, name, nil}
}

// dropped returns the dropped counter for reason.
func dropped(t *testing.T, w *writer.Writer, reason string) prometheus.Collector {
	t.Helper()
	return filtered{w, "flywheel_telemetry_dropped_total", map[string]string{"reason": reason}}
}

// filtered is one series of a collector, for testutil.ToFloat64.
type filtered struct {
	c      prometheus.Collector
	name   string
	labels map[string]string
}

func (f filtered) Describe(ch chan<- *prometheus.Desc) { f.c.Describe(ch) }

func (f filtered) Collect(ch chan<- prometheus.Metric) {
	all := make(chan prometheus.Metric, 64)
	go func() { f.c.Collect(all); close(all) }()
	for m := range all {
		var pb dto.Metric
		if m.Write(&pb) != nil || !hasName(m.Desc(), f.name) || !hasLabels(&pb, f.labels) {
			continue
		}
		ch <- m
	}
}

func hasName(d *prometheus.Desc, name string) bool {
	return strings.Contains(d.String(), `"`+name+`"`)
}

func hasLabels(m *dto.Metric, want map[string]string) bool {
	for k, v := range want {
		found := false
		for _, lp := range m.GetLabel() {
			if lp.GetName() == k && lp.GetValue() == v {
				found = true
			}
		}
		if !found {
			return false
		}
	}
	return true
}
