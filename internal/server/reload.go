package server

import (
	"reflect"

	"github.com/flywheel-stack/flywheel/config"
)

// Reload replaces the gateway with one built from cfg, while the server
// serves: routes, backends (timeouts, retries, concurrency, keys), breaker
// settings of targets new to the file, client API keys and the admin token,
// feedback metrics and the server's body limits take effect for the
// requests that arrive after it returns. Requests in flight finish on the
// gateway they started on. Breakers are shared, so every target keeps its
// state (an open breaker stays open); a breaker keeps the settings it was
// made with.
//
// What cannot change while serving keeps its running value and is named
// in a warning: server.listen, store, capture, health, dependencies, slos,
// alerts and resources (and the health checks of the backends, which stay
// those the server started with; the SLO service judges and alerts with
// the SLOs it started with, and the sampler reads the backends it started
// with). Backends demoted by an SLO's page alert stay demoted in the new
// gateway. When cfg cannot be built (a backend's key variable unset, say),
// the error is logged and returned, and the running configuration keeps
// serving.
func (s *Server) Reload(cfg *config.Config) error {
	s.reloadMu.Lock()
	defer s.reloadMu.Unlock()
	old := s.gen.Load()
	next, kept := carryOver(cfg, s.cfg)
	s.breakerCfg.Store(next)
	gen, err := s.newGeneration(next)
	if err != nil {
		s.breakerCfg.Store(old.cfg)
		s.opts.Logger.Error("configuration not reloaded: the running configuration keeps serving", "error", err)
		return err
	}
	s.mount(gen)
	s.demoteMu.Lock()
	s.applyDemotions(gen.gw)
	s.gen.Store(gen)
	s.demoteMu.Unlock()
	// The old gateway may still relay streams: shutdown ends them too.
	s.retired = append(s.retired, old.gw)
	for _, b := range old.gw.Backends() {
		// Connections in use finish their requests; the old gateway's idle
		// ones would otherwise linger until their idle timeout.
		b.Client.CloseIdleConnections()
	}
	s.opts.Logger.Info("configuration reloaded", "routes", len(next.Routes), "backends", len(next.Backends))
	if len(kept) > 0 {
		s.opts.Logger.Warn("configuration reloaded except what needs a restart", "not_applied", kept)
	}
	if !reflect.DeepEqual(next.Backends, s.cfg.Backends) {
		s.opts.Logger.Warn("backends changed: their health checks keep the backends the server started with until a restart")
	}
	return nil
}

// carryOver returns cfg with the sections that cannot change while
// serving set to their values in running, and the keys of those that cfg
// changes.
func carryOver(cfg, running *config.Config) (*config.Config, []string) {
	next := *cfg
	var kept []string
	keep := func(key string, changed bool) {
		if changed {
			kept = append(kept, key)
		}
	}
	keep("server.listen", next.Server.Listen != running.Server.Listen)
	next.Server.Listen = running.Server.Listen
	keep("store", !reflect.DeepEqual(next.Store, running.Store))
	next.Store = running.Store
	keep("capture", !reflect.DeepEqual(next.Capture, running.Capture))
	next.Capture = running.Capture
	keep("health", !reflect.DeepEqual(next.Health, running.Health))
	next.Health = running.Health
	keep("dependencies", !reflect.DeepEqual(next.Dependencies, running.Dependencies))
	next.Dependencies = running.Dependencies
	keep("alerts", !reflect.DeepEqual(next.Alerts, running.Alerts))
	next.Alerts = running.Alerts
	keep("resources", !reflect.DeepEqual(next.Resources, running.Resources))
	next.Resources = running.Resources
	// The file's SLOs stay in next: they name its routes and backends, and
	// validating the running ones against a file that changed those would
	// refuse a reload for a section it does not apply anyway.
	keep("slos", !reflect.DeepEqual(next.SLOs, running.SLOs))
	return &next, kept
}
