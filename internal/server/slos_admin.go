package server

import (
	"encoding/json"
	"math"
	"net/http"
	"strconv"
	"time"

	"github.com/flywheel-stack/flywheel/config"
	"github.com/flywheel-stack/flywheel/resource"
	"github.com/flywheel-stack/flywheel/slo"
)

// number is a float that is null in JSON when it is not a number (an
// unknown reading) or infinite.
type number float64

// MarshalJSON writes the number, or null for NaN and ±Inf.
func (n number) MarshalJSON() ([]byte, error) {
	f := float64(n)
	if math.IsNaN(f) || math.IsInf(f, 0) {
		return []byte("null"), nil
	}
	return strconv.AppendFloat(nil, f, 'g', -1, 64), nil
}

// slosView is the answer of GET /admin/v1/slos.
type slosView struct {
	SLOs            []sloView      `json:"slos"`
	DemotedBackends []string       `json:"demoted_backends"`
	Resources       *resourcesView `json:"resources"`
}

// sloView is one SLO: its definition and, once evaluated, its numbers.
type sloView struct {
	Name      string `json:"name"`
	Kind      string `json:"kind"`
	Route     string `json:"route,omitempty"`
	Backend   string `json:"backend,omitempty"`
	Model     string `json:"model,omitempty"`
	Resource  string `json:"resource,omitempty"`
	Threshold string `json:"threshold,omitempty"`
	Objective number `json:"objective"`
	Period    string `json:"period"`
	MinEvents int    `json:"min_events"`
	OnPage    string `json:"on_page,omitempty"`
	// Demoted: the SLO's page alert demotes its backend now.
	Demoted bool `json:"demoted"`
	// The numbers of the last evaluation; null before the first.
	At                      *time.Time        `json:"at"`
	Good                    *uint64           `json:"good"`
	Bad                     *uint64           `json:"bad"`
	SLI                     *number           `json:"sli"`
	ErrorBudgetRemaining    *number           `json:"error_budget_remaining"`
	TimeToExhaustionSeconds *number           `json:"time_to_exhaustion_seconds"`
	BurnRates               []burnRateView    `json:"burn_rates"`
	Alerts                  []slo.AlertStatus `json:"alerts"`
}

// burnRateView is the burn rate over one window.
type burnRateView struct {
	Window   string `json:"window"`
	BurnRate number `json:"burn_rate"`
	Events   uint64 `json:"events"`
}

// resourcesView is the sampler's latest round; unknown numbers are null.
type resourcesView struct {
	At       *time.Time           `json:"at"`
	GPUs     []gpuView            `json:"gpus"`
	Backends []backendStatsView   `json:"backends"`
	Sources  []resourceSourceView `json:"sources"`
}

type gpuView struct {
	Index            int    `json:"index"`
	Vendor           string `json:"vendor"`
	Name             string `json:"name"`
	Utilization      number `json:"utilization"`
	MemoryUsedBytes  uint64 `json:"memory_used_bytes"`
	MemoryTotalBytes uint64 `json:"memory_total_bytes"`
}

type backendStatsView struct {
	Backend string `json:"backend"`
	Kind    string `json:"kind"`
	Running number `json:"requests_running"`
	Waiting number `json:"requests_waiting"`
	KVCache number `json:"kv_cache_usage_ratio"`
}

type resourceSourceView struct {
	Name   string `json:"name"`
	State  string `json:"state"`
	Reason string `json:"reason,omitempty"`
}

// handleSLOs serves GET /admin/v1/slos: every SLO's status at the last
// evaluation, the demoted backends and the latest resource readings.
func (s *Server) handleSLOs(w http.ResponseWriter, _ *http.Request) {
	demoted, by := s.demotedBackends()
	out := slosView{SLOs: []sloView{}, DemotedBackends: demoted, Resources: viewResources(s.sampler.Snapshot())}
	var status []slo.Status
	if s.slos != nil {
		status = s.slos.Status()
	}
	for _, c := range s.cfg.SLOs {
		v := sloView{Name: c.Name, Kind: string(c.Kind), Route: c.Route, Backend: c.Backend, Model: c.Model,
			Resource: string(c.Resource), Threshold: c.Threshold.String(), Objective: number(c.Objective),
			Period: string(c.Period), MinEvents: c.MinEvents, OnPage: string(c.OnPage), Alerts: []slo.AlertStatus{},
			BurnRates: []burnRateView{}}
		if v.Period == "" {
			v.Period = string(config.Period30d)
		}
		for _, name := range by[c.Backend] {
			v.Demoted = v.Demoted || name == c.Name
		}
		for _, st := range status {
			if st.Name == c.Name {
				fillStatus(&v, st)
			}
		}
		out.SLOs = append(out.SLOs, v)
	}
	w.Header().Set("Content-Type", "application/json")
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	_ = enc.Encode(out)
}

// fillStatus sets v's numbers from an evaluation.
func fillStatus(v *sloView, st slo.Status) {
	at := st.At.UTC()
	good, bad := st.Good, st.Bad
	sli, left := number(st.SLI), number(st.BudgetRemaining)
	v.At, v.Good, v.Bad, v.SLI, v.ErrorBudgetRemaining = &at, &good, &bad, &sli, &left
	if st.TimeToExhaustion >= 0 {
		tte := number(st.TimeToExhaustion.Seconds())
		v.TimeToExhaustionSeconds = &tte
	}
	for i, win := range slo.Windows {
		if i < len(st.BurnRates) && i < len(st.WindowEvents) {
			v.BurnRates = append(v.BurnRates, burnRateView{Window: win.Name, BurnRate: number(st.BurnRates[i]),
				Events: st.WindowEvents[i]})
		}
	}
	v.Alerts = append(v.Alerts, st.Alerts...)
}

// viewResources turns a snapshot into its JSON view; nil before the first
// round.
func viewResources(snap resource.Snapshot) *resourcesView {
	if snap.Time.IsZero() {
		return nil
	}
	at := snap.Time.UTC()
	v := &resourcesView{At: &at, GPUs: []gpuView{}, Backends: []backendStatsView{}, Sources: []resourceSourceView{}}
	for _, g := range snap.GPUs {
		v.GPUs = append(v.GPUs, gpuView{Index: g.Index, Vendor: string(g.Vendor), Name: g.Name,
			Utilization: number(g.Utilization), MemoryUsedBytes: uint64(g.MemoryUsed), MemoryTotalBytes: uint64(g.MemoryTotal)})
	}
	for _, b := range snap.Backends {
		v.Backends = append(v.Backends, backendStatsView{Backend: b.Backend, Kind: b.Kind, Running: number(b.Running),
			Waiting: number(b.Waiting), KVCache: number(b.KVCache)})
	}
	for _, src := range snap.Sources {
		v.Sources = append(v.Sources, resourceSourceView{Name: src.Name, State: string(src.State), Reason: src.Reason})
	}
	return v
}
