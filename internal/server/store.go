package server

import (
	"context"
	"log/slog"
	"time"

	"github.com/flywheel-stack/flywheel/clock"
	"github.com/flywheel-stack/flywheel/config"
	"github.com/flywheel-stack/flywheel/feedback"
	"github.com/flywheel-stack/flywheel/health"
	"github.com/flywheel-stack/flywheel/store"
	"github.com/flywheel-stack/flywheel/store/writer"
	"github.com/flywheel-stack/flywheel/telemetry"
	"github.com/prometheus/client_golang/prometheus"
)

// storeParts are what Options.Store adds to the server: the telemetry
// writer (a sink and a metrics collector), the feedback endpoint's store and
// the store readiness check. Without a store they are empty.
type storeParts struct {
	writer     *writer.Writer
	sinks      []telemetry.Sink
	collectors []prometheus.Collector
	feedback   feedback.Endpoint
	checks     []health.Check
}

func newStoreParts(cfg *config.Config, opts Options) storeParts {
	if opts.Store == nil {
		return storeParts{}
	}
	w := newWriter(cfg, opts.Store, opts.Logger, opts.Clock)
	return storeParts{writer: w, sinks: []telemetry.Sink{w}, collectors: []prometheus.Collector{w},
		feedback: feedback.New(feedback.Options{Store: opts.Store, Queued: w, Metrics: cfg.Feedback.Metrics,
			Logger: opts.Logger, Clock: opts.Clock}), checks: []health.Check{storeCheck(opts.Store, w)}}
}

// close stops the writer of a server that failed to build.
func (sp storeParts) close() {
	if sp.writer != nil {
		_ = sp.writer.Close(context.Background())
	}
}

// newWriter starts the telemetry writer for st from the store and capture
// sections.
func newWriter(cfg *config.Config, st store.Store, logger *slog.Logger, clk clock.Clock) *writer.Writer {
	return writer.New(st, writer.Options{
		QueueSize: cfg.Store.QueueSize, QueueBytes: int64(cfg.Store.QueueBytes), BatchSize: cfg.Store.BatchSize, FlushInterval: cfg.Store.FlushInterval,
		Capture: cfg.Capture, Retention: cfg.Store.Retention, Logger: logger, Clock: clk,
	})
}

// storeCheck joins readiness: it fails (as a warning: the gateway answers
// without its store) when the store cannot be reached or its last batch
// could not be written.
func storeCheck(st store.Store, w *writer.Writer) health.Check {
	return health.Check{Name: "store", Kind: health.Readiness, ComponentType: "datastore", NonCritical: true,
		Func: func(ctx context.Context) health.Result {
			if err := st.Ping(ctx); err != nil {
				return health.Failf("%s is unreachable: telemetry is dropped (flywheel_telemetry_dropped_total) and feedback answers 503 until it is back: %v", st.Location(), err)
			}
			if err := w.LastError(); err != nil {
				return health.Failf("%s: the last telemetry batch could not be written: %v", st.Location(), err)
			}
			return health.Passf("%s, %d event(s) queued", st.Location(), w.Depth())
		}}
}

// flushGrace bounds the final telemetry flush at shutdown.
const flushGrace = 15 * time.Second

// flushTelemetry writes what the telemetry queue holds, after the HTTP
// server has stopped.
func (s *Server) flushTelemetry() {
	ctx, cancel := context.WithTimeout(context.Background(), flushGrace)
	defer cancel()
	if err := s.Close(ctx); err != nil {
		s.opts.Logger.Warn("telemetry not fully flushed at shutdown", "error", err)
	}
}
