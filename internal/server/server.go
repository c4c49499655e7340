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
	"sync"
	"sync/atomic"
	"time"

	"github.com/flywheel-stack/flywheel/clock"
	"github.com/flywheel-stack/flywheel/config"
	"github.com/flywheel-stack/flywheel/feedback"
	"github.com/flywheel-stack/flywheel/gateway"
	"github.com/flywheel-stack/flywheel/health"
	"github.com/flywheel-stack/flywheel/health/healthprom"
	"github.com/flywheel-stack/flywheel/internal/freshconn"
	"github.com/flywheel-stack/flywheel/internal/version"
	"github.com/flywheel-stack/flywheel/resilience"
	"github.com/flywheel-stack/flywheel/resource"
	"github.com/flywheel-stack/flywheel/slo"
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

// Server is a running `flywheel serve`. Reload replaces its gateway while
// it serves.
type Server struct {
	cfg      *config.Config // as started: what a reload cannot change comes from it
	opts     Options
	Health   *health.Checker
	Registry *prometheus.Registry
	// Telemetry is the writer that batches events into Options.Store; nil
	// without a store.
	Telemetry *writer.Writer
	fresh     *freshconn.Tracker // connections without a request yet, closed on shutdown

	// What every generation shares.
	sinks    telemetry.Sinks
	feedback feedback.Endpoint
	breakers *resilience.Registry
	metrics  http.Handler
	// breakerCfg is the configuration new breakers are made from.
	breakerCfg atomic.Pointer[config.Config]
	gen        atomic.Pointer[generation]
	reloadMu   sync.Mutex // one reload at a time
	// retired are the gateways that reloads replaced (under reloadMu):
	// streams that started on one are still relayed by it.
	retired []*gateway.Gateway

	// slos judges every inference against the slos section and evaluates
	// the alerts; nil without SLOs. sloConfigs are its SLOs by name. The
	// slos, alerts and resources sections are those the server started
	// with: a reload does not change them.
	slos       *slo.Service
	sloConfigs map[string]config.SLO
	// sampler reads the GPUs and the backends' /metrics.
	sampler *resource.Sampler
	// demoted are the backends an SLO's page alert demotes (on_page:
	// demote), each with the SLOs that demote it; applied to every
	// generation's gateway.
	demoteMu sync.Mutex
	demoted  map[string][]string
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
	var err error
	s := &Server{cfg: cfg, opts: opts, Telemetry: sp.writer, fresh: &freshconn.Tracker{}, feedback: sp.feedback,
		sinks: append(append(telemetry.Sinks{prom}, opts.Sinks...), sp.sinks...)}
	s.breakerCfg.Store(cfg)
	s.breakers = newBreakers(opts, &s.breakerCfg)
	s.slos, err = s.newSLOService(cfg)
	if err != nil {
		sp.close()
		return nil, err
	}
	if s.slos != nil {
		s.sinks = append(s.sinks, s.slos.Recorder())
		s.sloConfigs = map[string]config.SLO{}
		for _, c := range cfg.SLOs {
			s.sloConfigs[c.Name] = c
		}
	}
	gen, err := s.newGeneration(cfg)
	if err != nil {
		sp.close()
		return nil, err
	}
	s.gen.Store(gen)
	if s.sampler, err = s.newSampler(cfg, gen); err != nil {
		sp.close()
		return nil, err
	}
	s.Health, err = buildChecker(cfg, gen.gw, s.current, version.String(), opts.Getenv, opts.Logger, sp.checks...)
	if err != nil {
		sp.close()
		return nil, err
	}
	s.Registry = prometheus.NewRegistry()
	s.Registry.MustRegister(collectors.NewGoCollector(), collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}),
		prom, healthprom.NewCollector(s.Health), generationCollector{s})
	s.Registry.MustRegister(sp.collectors...)
	s.Registry.MustRegister(s.sloCollectors()...)
	s.metrics = promhttp.HandlerFor(s.Registry, promhttp.HandlerOpts{Registry: s.Registry})
	s.mount(gen)
	return s, nil
}

// current returns the configuration being served.
func (s *Server) current() *config.Config { return s.gen.Load().cfg }

// Gateway returns the gateway serving now (Reload replaces it).
func (s *Server) Gateway() *gateway.Gateway { return s.gen.Load().gw }

// Close writes the telemetry still queued (until ctx ends) and stops the
// writer. Serve calls it on its way out; a caller that only uses Handler
// calls it itself. It does not close Options.Store.
func (s *Server) Close(ctx context.Context) error {
	if s.Telemetry == nil {
		return nil
	}
	return s.Telemetry.Close(ctx)
}

// Handler returns the server's HTTP handler: it serves each request on the
// gateway current when the request arrives.
func (s *Server) Handler() http.Handler { return s }

// headerTimeout bounds how long a client may take to send its request
// headers.
const headerTimeout = 10 * time.Second

// cutGrace bounds how long the requests still running when the shutdown
// grace runs out have, once told (their context is cancelled with
// gateway.ErrShuttingDown), to end before their connections are closed.
const cutGrace = 2 * time.Second

// Serve listens and serves until ctx is cancelled, then shuts down
// gracefully: it stops accepting, lets in-flight requests and streams finish
// up to the grace period, and stops the health checker. Requests still
// running when the grace runs out are cut; that is still a clean shutdown
// (nil), logged as a warning.
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
	// The SLO service and the sampler outlive ctx: the requests that finish
	// during the shutdown grace are judged too, and the service writes its
	// counts once the HTTP server is done, before Serve returns (and the
	// caller closes the store).
	defer s.startBackground(context.WithoutCancel(ctx))()
	base, cut := context.WithCancelCause(context.Background())
	defer cut(nil)
	srv := &http.Server{Handler: s, ReadHeaderTimeout: headerTimeout, IdleTimeout: 2 * time.Minute,
		ErrorLog: slog.NewLogLogger(s.opts.Logger.Handler(), slog.LevelWarn), ConnState: s.fresh.Track,
		BaseContext: func(net.Listener) context.Context { return base }}
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
		s.opts.Logger.Warn("shutdown grace ran out: cutting the requests still running", "grace", s.opts.ShutdownGrace,
			"in_flight", s.Gateway().InFlight())
		// The streams still open, on the current gateway and on those a
		// reload replaced, get an SSE error event (and their backend
		// requests are cancelled) before anything is cut; then every
		// request still running is cancelled with ErrShuttingDown and gets
		// cutGrace of its own to end before its connection is closed.
		s.closeStreams()
		cut(gateway.ErrShuttingDown)
		cctx, ccancel := context.WithTimeout(context.Background(), cutGrace)
		defer ccancel()
		if srv.Shutdown(cctx) != nil {
			_ = srv.Close()
		}
	}
	if err := <-errc; err != nil && !errors.Is(err, http.ErrServerClosed) {
		return err
	}
	return nil
}

// closeStreams ends the open streams of the current gateway and of every
// gateway a reload replaced, all at once, waiting at most cutGrace.
func (s *Server) closeStreams() {
	s.reloadMu.Lock()
	gws := append([]*gateway.Gateway{s.Gateway()}, s.retired...)
	s.reloadMu.Unlock()
	ctx, cancel := context.WithTimeout(context.Background(), cutGrace)
	defer cancel()
	var wg sync.WaitGroup
	for _, gw := range gws {
		wg.Go(func() { _ = gw.CloseStreams(ctx) })
	}
	wg.Wait()
}
