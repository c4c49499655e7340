package server

import (
	"maps"
	"slices"

	"github.com/flywheel-stack/flywheel/config"
	"github.com/flywheel-stack/flywheel/gateway"
	"github.com/flywheel-stack/flywheel/slo"
)

// syncDemotions sets which backends are demoted from the SLO service's
// status: a backend is demoted while the page alert of an SLO with
// on_page: demote scoped to it is active. It is called on every alert
// transition and at start; the set is kept in the server and applied to
// each generation's gateway, so that it survives a reload.
func (s *Server) syncDemotions() {
	if s.slos == nil {
		return
	}
	want := demotedBy(s.sloConfigs, s.slos.Status())
	s.demoteMu.Lock()
	defer s.demoteMu.Unlock()
	for b, names := range want {
		if _, was := s.demoted[b]; !was {
			s.opts.Logger.Warn("slo page alert: backend demoted behind the next target of every route that uses it",
				"backend", b, "slos", names)
		}
	}
	for b, names := range s.demoted {
		if _, still := want[b]; !still {
			s.opts.Logger.Info("slo page alert resolved: backend back in its place in every route", "backend", b, "slos", names)
		}
	}
	s.demoted = want
	if g := s.gen.Load(); g != nil {
		s.applyDemotions(g.gw)
	}
}

// applyDemotions makes gw's demoted backends those of the server's set.
// The caller holds demoteMu.
func (s *Server) applyDemotions(gw *gateway.Gateway) {
	for name := range gw.Backends() {
		_, demoted := s.demoted[name]
		gw.SetDemoted(name, demoted)
	}
}

// demotedBy returns, for each backend to demote, the SLOs whose page alert
// demotes it.
func demotedBy(cfgs map[string]config.SLO, status []slo.Status) map[string][]string {
	want := map[string][]string{}
	for _, st := range status {
		c, ok := cfgs[st.Name]
		if !ok || c.OnPage != config.OnPageDemote || c.Backend == "" {
			continue
		}
		for _, a := range st.Alerts {
			if a.Severity == slo.Page && a.Active {
				want[c.Backend] = append(want[c.Backend], st.Name)
			}
		}
	}
	return want
}

// demotedBackends returns the demoted backends, sorted, and for each the
// SLOs that demote it.
func (s *Server) demotedBackends() ([]string, map[string][]string) {
	s.demoteMu.Lock()
	defer s.demoteMu.Unlock()
	return slices.Sorted(maps.Keys(s.demoted)), maps.Clone(s.demoted)
}
