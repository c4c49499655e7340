// Package server assembles `flywheel serve`: the gateway, health checks,
// metrics and the admin API on one listener, from one configuration.
package server

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"time"

	"github.com/flywheel-stack/flywheel/clock"
	"github.com/flywheel-stack/flywheel/config"
	"github.com/flywheel-stack/flywheel/gateway"
	"github.com/flywheel-stack/flywheel/health"
	"github.com/flywheel-stack/flywheel/internal/freshconn"
	"github.com/flywheel-stack/flywheel/internal/version"
	"github.com/flywheel-stack/flywheel/resilience"
	"github.com/flywheel-stack/flywheel/store"
	"github.com/flywheel-stack/flywheel/store/writer"
	"github.com/flywheel-stack/flywheel/telemetry"
	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
	"github.com/prometheus/client_golang/prometheus/promhttp"
)

// Options are what Serve needs besides the configuration.
type Options struct {
	// Logger receives structured logs; nil means slog.Default().
	Logger *slog.Logger
	// Sinks receive telemetry events besides the Prometheus metrics.
	Sinks []telemetry.Sink
	// Getenv reads secrets' environment variables; nil means os.Getenv.
	Getenv func(string) string
	// ShutdownGrace bounds how long in-flight requests (streams included)
	// may run after the context is cancelled. Default 30 s.
	ShutdownGrace time.Duration
	// Listener, if set, is used instead of listening on cfg.Server.Listen.
	Listener net.Listener
	// OnBreakerChange, if set, is told about every breaker transition.
	OnBreakerChange func(resilience.Transition)
	// Clock is the gateway's time source (breakers, Retry-After,
	// telemetry timestamps). nil: the real clock; tests pass a clock.Fake.
	Clock clock.Clock
	// Store keeps every inference and feedback (open it with
	// store/open.Store). nil: nothing is stored and POST /v1/feedback
	// answers 503. The caller closes it after Serve or Close returns.
	Store store.Store
}

// Server is a running `flywheel serve`.
type Server struct {
	cfg      *config.Config
	opts     Options
	Gateway  *gateway.Gateway
	Health   *health.Checker
	Registry *prometheus.Registry
	// Telemetry is the writer that batches events into Options.Store; nil
	// without a store.
	Telemetry *writer.Writer
	handler   http.Handler
	fresh     *freshconn.Tracker // connections without a request yet, closed on shutdown
}

// New builds the server from cfg.
func New(cfg *config.Config, opts Options) (*Server, error) {
	if opts.Logger == nil {
		opts.Logger = slog.Default()
	}
	if opts.Getenv == nil {
		opts.Getenv = osGetenv
	}
	if opts.ShutdownGrace <= 0 {
		opts.ShutdownGrace = 30 * time.Second
	}
	quietRedis(opts.Logger)
	prom := telemetry.NewPrometheus()
	sp := newStoreParts(cfg, opts)
	gw, err := gateway.New(gateway.Options{Config: cfg, Logger: opts.Logger, Getenv: opts.Getenv,
		Sink: append(append(telemetry.Sinks{prom}, opts.Sinks...), sp.sinks...), OnBreakerChange: opts.OnBreakerChange,
		Clock: opts.Clock, Feedback: sp.feedback})
	if err != nil {
		sp.close()
		return nil, err
	}
	checker, err := buildChecker(cfg, gw, version.String(), opts.Getenv, opts.Logger, sp.checks...)
	if err != nil {
		sp.close()
		return nil, err
	}
	resil := resilience.NewCollector(gw.Breakers())
	for _, b := range gw.Backends() {
		resil.AddRetrier(b.Name, b.Retrier)
	}
	reg := prometheus.NewRegistry()
	reg.MustRegister(collectors.NewGoCollector(), collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}),
		prom, resil, checker.Collector(), gatewayCollector{gw})
	reg.MustRegister(sp.collectors...)

	mux := http.NewServeMux()
	gw.Register(mux)
	checker.Register(mux)
	mux.Handle("GET /metrics", promhttp.HandlerFor(reg, promhttp.HandlerOpts{Registry: reg}))
	return &Server{cfg: cfg, opts: opts, Gateway: gw, Health: checker, Registry: reg, Telemetry: sp.writer, handler: mux,
		fresh: &freshconn.Tracker{}}, nil
}

// Close writes the telemetry still queued (until ctx ends) and stops the
// writer. Serve calls it on its way out; a caller that only uses Handler
// calls it itself. It does not close Options.Store.
func (s *Server) Close(ctx context.Context) error {
	if s.Telemetry == nil {
		return nil
	}
	return s.Telemetry.Close(ctx)
}

// Handler returns the server's HTTP handler.
func (s *Server) Handler() http.Handler { return s.handler }

// Serve listens and serves until ctx is cancelled, then shuts down
// gracefully: it stops accepting, lets in-flight requests and streams finish
// up to the grace period, and stops the health checker.
func (s *Server) Serve(ctx context.Context) error {
	ln := s.opts.Listener
	if ln == nil {
		var err error
		if ln, err = net.Listen("tcp", s.cfg.Server.Listen); err != nil {
			return fmt.Errorf("listen on %s (server.listen): %w", s.cfg.Server.Listen, err)
		}
	}
	if err := s.Health.Start(ctx); err != nil {
		_ = ln.Close()
		return err
	}
	defer s.Health.Stop()
	defer s.flushTelemetry()
	srv := &http.Server{Handler: s.handler, ReadHeaderTimeout: 10 * time.Second, IdleTimeout: 2 * time.Minute,
		ErrorLog: slog.NewLogLogger(s.opts.Logger.Handler(), slog.LevelWarn), ConnState: s.fresh.Track}
	errc := make(chan error, 1)
	go func() { errc <- srv.Serve(ln) }()
	s.opts.Logger.Info("flywheel serving", "addr", ln.Addr().String(), "routes", len(s.cfg.Routes), "backends", len(s.cfg.Backends))
	select {
	case err := <-errc:
		return err
	case <-ctx.Done():
	}
	s.opts.Logger.Info("shutting down", "grace", s.opts.ShutdownGrace)
	sctx, cancel := context.WithTimeout(context.Background(), s.opts.ShutdownGrace)
	defer cancel()
	s.fresh.CloseAll()
	if err := srv.Shutdown(sctx); err != nil {
		// The grace is out: the streams still open get an SSE error event
		// (and their backend requests are cancelled) before their
		// connections are closed.
		cctx, ccancel := context.WithTimeout(context.Background(), 2*time.Second)
		_ = s.Gateway.CloseStreams(cctx)
		ccancel()
		_ = srv.Close()
		return fmt.Errorf("graceful shutdown: %w", err)
	}
	if err := <-errc; err != nil && !errors.Is(err, http.ErrServerClosed) {
		return err
	}
	return nil
}
