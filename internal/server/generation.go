package server

import (
	"net/http"

	"github.com/flywheel-stack/flywheel/config"
	"github.com/flywheel-stack/flywheel/gateway"
	"github.com/flywheel-stack/flywheel/resilience/resilienceprom"
	"github.com/prometheus/client_golang/prometheus"
)

// generation is what one configuration builds and a reload replaces as a
// whole: the gateway, its metrics and the handler that serves it with the
// health probes and /metrics. A request runs to its end on the generation
// it started on.
type generation struct {
	cfg     *config.Config
	gw      *gateway.Gateway
	resil   *resilienceprom.Collector
	handler http.Handler
}

// newGeneration builds the gateway for cfg from the parts every
// generation shares (sinks, feedback, breakers); mount makes its handler.
func (s *Server) newGeneration(cfg *config.Config) (*generation, error) {
	gw, err := gateway.New(gateway.Options{Config: cfg, Logger: s.opts.Logger, Getenv: s.opts.Getenv,
		Sink: s.sinks, Breakers: s.breakers, Clock: s.opts.Clock, Feedback: s.feedback})
	if err != nil {
		return nil, err
	}
	resil := resilienceprom.NewCollector(gw.Breakers())
	for _, b := range gw.Backends() {
		resil.AddRetrier(b.Name, b.Retrier)
	}
	return &generation{cfg: cfg, gw: gw, resil: resil}, nil
}

// mount makes g's handler: its gateway, the health probes and /metrics on
// one mux, behind the body deadline.
func (s *Server) mount(g *generation) {
	mux := http.NewServeMux()
	g.gw.Register(mux)
	s.Health.Register(mux)
	mux.Handle("GET /metrics", s.metrics)
	mux.Handle("GET /admin/v1/slos", g.gw.AdminOnly(http.HandlerFunc(s.handleSLOs)))
	g.handler = gateway.BodyDeadline(mux, g.cfg.Server.BodyTimeout)
}

// ServeHTTP serves r on the current generation.
func (s *Server) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	s.gen.Load().handler.ServeHTTP(w, r)
}

// generationCollector exports the current generation's gateway and
// resilience metrics.
type generationCollector struct{ s *Server }

func (c generationCollector) Describe(ch chan<- *prometheus.Desc) {
	gatewayCollector{}.Describe(ch)
	resilienceprom.NewCollector(nil).Describe(ch)
}

func (c generationCollector) Collect(ch chan<- prometheus.Metric) {
	g := c.s.gen.Load()
	gatewayCollector{g.gw}.Collect(ch)
	g.resil.Collect(ch)
}
