package gateway

import (
	"net/http"
	"strings"
	"time"

	"github.com/flywheel-stack/flywheel/resilience"
)

// breakerView is a breaker as the admin API shows it.
type breakerView struct {
	Key       string            `json:"key"`
	State     string            `json:"state"`
	Counts    resilience.Counts `json:"counts"`
	Totals    breakerTotals     `json:"totals"`
	OpenUntil *time.Time        `json:"open_until,omitempty"`
	// Demoted: the target's backend is demoted by an SLO's page alert
	// (on_page: demote), so routes try it after the next target.
	Demoted bool `json:"demoted,omitempty"`
}

type breakerTotals struct {
	Successes uint64 `json:"successes"`
	Failures  uint64 `json:"failures"`
	Ignored   uint64 `json:"ignored"`
	Rejected  uint64 `json:"rejected"`
}

func viewOf(s resilience.Snapshot) breakerView {
	v := breakerView{Key: s.Name, State: s.State.String(), Counts: s.Counts,
		Totals: breakerTotals{s.Totals.Successes, s.Totals.Failures, s.Totals.Ignored, s.Totals.Rejected}}
	if s.State == resilience.StateOpen {
		t := s.OpenUntil.UTC()
		v.OpenUntil = &t
	}
	return v
}

// handleBreakers serves GET /admin/v1/breakers: every target's breaker,
// including those not used yet.
func (g *Gateway) handleBreakers(w http.ResponseWriter, _ *http.Request) {
	for key := range g.direct {
		g.breakers.Get(key)
	}
	snaps := g.breakers.Snapshot()
	out := make([]breakerView, 0, len(snaps))
	for _, s := range snaps {
		v := viewOf(s)
		backend, _, _ := strings.Cut(s.Name, "/")
		v.Demoted = g.isDemoted(backend)
		out = append(out, v)
	}
	writeJSON(w, http.StatusOK, struct {
		Breakers []breakerView `json:"breakers"`
		Demoted  []string      `json:"demoted_backends"`
	}{out, g.Demoted()})
}

// AdminOnly wraps h with the admin API's authentication: the admin token
// as a bearer token, 403 when no admin token is configured. The server
// mounts its own admin endpoints (GET /admin/v1/slos) with it.
func (g *Gateway) AdminOnly(h http.Handler) http.Handler { return g.adminAuth(h) }

// handleBreakerAction serves POST /admin/v1/breakers/{backend/model}/{open|close|reset}.
func (g *Gateway) handleBreakerAction(w http.ResponseWriter, r *http.Request) {
	path := r.PathValue("key")
	i := strings.LastIndexByte(path, '/')
	if i < 0 {
		writeError(w, apiError{Status: http.StatusNotFound, Type: "invalid_request_error", Code: "not_found",
			Message: "Use POST /admin/v1/breakers/{backend}/{model}/open, /close or /reset."})
		return
	}
	key, action := path[:i], path[i+1:]
	if _, ok := g.direct[key]; !ok {
		writeError(w, apiError{Status: http.StatusNotFound, Type: "invalid_request_error", Code: "breaker_not_found",
			Message: "No target " + key + " is configured."})
		return
	}
	b := g.breakers.Get(key)
	reason := "admin API: " + action
	switch action {
	case "open":
		b.ForceOpen(reason)
	case "close", "reset":
		b.Reset(reason)
	default:
		writeError(w, apiError{Status: http.StatusNotFound, Type: "invalid_request_error", Code: "unknown_action",
			Message: "Unknown action " + action + "; use open, close or reset."})
		return
	}
	g.log.Info("breaker changed by an operator", "breaker", key, "action", action)
	writeJSON(w, http.StatusOK, viewOf(b.Snapshot()))
}
