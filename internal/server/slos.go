package server

import (
	"context"
	"sync"

	"github.com/flywheel-stack/flywheel/config"
	"github.com/flywheel-stack/flywheel/resource"
	"github.com/flywheel-stack/flywheel/resource/resourceprom"
	"github.com/flywheel-stack/flywheel/slo"
	"github.com/flywheel-stack/flywheel/store"
	"github.com/prometheus/client_golang/prometheus"
)

// newSLOService builds the SLO service of cfg's slos section, or nil when
// none is configured: minutes and alert history in the server's store when
// it keeps them (store.SLOStore), else in memory; the alerts section's
// webhook; on_page: demote through syncDemotions.
func (s *Server) newSLOService(cfg *config.Config) (*slo.Service, error) {
	if len(cfg.SLOs) == 0 {
		return nil, nil
	}
	set, err := slo.Compile(cfg.SLOs)
	if err != nil {
		return nil, err
	}
	opts := slo.ServiceOptions{Clock: s.opts.Clock, Logger: s.opts.Logger,
		OnTransition: func(slo.Transition) { s.syncDemotions() }}
	if ss, ok := s.opts.Store.(store.SLOStore); ok {
		opts.Store = slo.AdaptStore(ss)
	} else {
		opts.Store = slo.NewMemoryStore()
	}
	opts.Notifier, err = slo.NotifierFromConfig(set, cfg.Alerts.Webhook, s.opts.Getenv,
		slo.NotifierOptions{Logger: s.opts.Logger, Clock: s.opts.Clock})
	if err != nil {
		return nil, err
	}
	return slo.NewService(set, opts), nil
}

// newSampler builds the resource sampler of cfg's resources section (GPU
// tools, backends' /metrics), feeding the resource SLOs when there are
// any. gen's gateway supplies the backends' API keys.
func (s *Server) newSampler(cfg *config.Config, gen *generation) (*resource.Sampler, error) {
	opts := resource.OptionsFromConfig(cfg, func(name string) string {
		if b, ok := gen.gw.Backends()[name]; ok {
			return b.APIKey()
		}
		return ""
	})
	opts.Clock, opts.Logger = s.opts.Clock, s.opts.Logger
	if s.slos != nil {
		opts.OnSample = resource.FeedSLOs(s.slos.Recorder())
	}
	return resource.New(opts)
}

// sloCollectors returns what the SLO service and the sampler export.
func (s *Server) sloCollectors() []prometheus.Collector {
	out := []prometheus.Collector{resourceprom.NewCollector(s.sampler)}
	if s.slos != nil {
		out = append(out, s.slos.Collectors()...)
	}
	return out
}

// SLOs returns the SLO service, or nil when no SLO is configured.
func (s *Server) SLOs() *slo.Service { return s.slos }

// Sampler returns the resource sampler.
func (s *Server) Sampler() *resource.Sampler { return s.sampler }

// startBackground starts the SLO service and the resource sampler on ctx
// and returns a function that stops them and waits until they are done
// (the SLO service writes its last counts then: call it before the store
// is closed). The SLO service's state is loaded before it runs, and the
// demotions set from it, so that a backend whose page alert was already
// active when the process started is demoted: a restart emits no
// transition for it. (Run loads the state again; the store is read twice
// at start.) None of it delays serving.
func (s *Server) startBackground(ctx context.Context) (stop func()) {
	ctx, cancel := context.WithCancel(ctx)
	var wg sync.WaitGroup
	if s.slos != nil {
		wg.Go(func() {
			if s.slos.Start(ctx) == nil { // an error is logged by the service; Run retries the store
				s.syncDemotions()
			}
			_ = s.slos.Run(ctx)
		})
	}
	wg.Go(func() { s.sampler.Run(ctx) })
	return func() {
		cancel()
		wg.Wait()
	}
}
