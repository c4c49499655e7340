package health

import (
	"encoding/json"
	"math"
	"net/http"
	"strings"
	"time"
)

// Report is the /healthz body in the IETF "Health Check Response Format for
// HTTP APIs" (application/health+json), with the composite score and the
// probe statuses as extensions.
type Report struct {
	// Status is the worst of the liveness, readiness and startup statuses.
	Status      Status `json:"status"`
	Version     string `json:"version,omitempty"`
	ReleaseID   string `json:"releaseId,omitempty"`
	ServiceID   string `json:"serviceId,omitempty"`
	Description string `json:"description,omitempty"`
	// Output names the checks that fail or warn.
	Output string `json:"output,omitempty"`
	// Score is the composite score, 0 to 100 (extension).
	Score float64 `json:"score"`
	// Probes holds the status of livez, readyz and startupz (extension).
	Probes map[string]Status `json:"probes"`
	// Checks is keyed "component:measurement", e.g. "postgres:responseTime".
	Checks map[string][]ReportCheck `json:"checks"`
	// Notes are remarks about the report, e.g. that outputs are withheld.
	Notes []string `json:"notes,omitempty"`
}

// ReportCheck is one entry of Report.Checks.
type ReportCheck struct {
	ComponentID   string `json:"componentId"`
	ComponentType string `json:"componentType,omitempty"`
	ObservedValue any    `json:"observedValue,omitempty"`
	ObservedUnit  string `json:"observedUnit,omitempty"`
	Status        Status `json:"status"`
	Time          string `json:"time,omitempty"`
	Output        string `json:"output,omitempty"`
}

// Report returns the full health report from the cached results.
func (c *Checker) Report() Report {
	rep := Report{
		Version:     c.opts.Version,
		ReleaseID:   c.opts.ReleaseID,
		ServiceID:   c.opts.ServiceID,
		Description: c.opts.Description,
		Score:       math.Round(c.Score()*100) / 100,
		Probes:      make(map[string]Status, len(probeKinds)),
		Checks:      map[string][]ReportCheck{},
	}
	rep.Status = StatusPass
	for _, k := range probeKinds {
		st := c.Status(k)
		rep.Probes[k.ProbeName()] = st
		rep.Status = worst(rep.Status, st)
	}
	var failing, warning []string
	for _, r := range c.Results() {
		switch {
		case r.Status == StatusWarn:
			warning = append(warning, r.Name)
		case !r.Status.OK() && r.Critical:
			failing = append(failing, r.Name)
		case !r.Status.OK():
			warning = append(warning, r.Name+" (non-critical)")
		}
		addEntries(rep.Checks, &r)
	}
	var out []string
	if len(failing) > 0 {
		out = append(out, "failing: "+strings.Join(failing, ", "))
	}
	if len(warning) > 0 {
		out = append(out, "warning: "+strings.Join(warning, ", "))
	}
	rep.Output = strings.Join(out, "; ")
	return rep
}

// addEntries adds the report entries of r: one per measurement, or
// "NAME:responseTime" when it has none.
func addEntries(checks map[string][]ReportCheck, r *CheckResult) {
	status := r.Status.orFail()
	if len(r.Measurements) == 0 {
		e := ReportCheck{
			ComponentID:   r.Name,
			ComponentType: r.ComponentType,
			Status:        status,
			Time:          rfc3339(r.Time),
			Output:        r.Output,
		}
		if r.checked() {
			e.ObservedValue = math.Round(float64(r.Duration.Microseconds())) / 1000
			e.ObservedUnit = "ms"
		}
		key := r.Name + ":responseTime"
		checks[key] = append(checks[key], e)
		return
	}
	for _, m := range r.Measurements {
		e := ReportCheck{
			ComponentID:   m.Component,
			ComponentType: m.Type,
			ObservedValue: m.Value,
			ObservedUnit:  m.Unit,
			Status:        m.Status,
			Time:          rfc3339(r.Time),
			Output:        m.Output,
		}
		if e.ComponentID == "" {
			e.ComponentID = r.Name
		}
		if e.ComponentType == "" {
			e.ComponentType = r.ComponentType
		}
		if e.Status == "" {
			e.Status = status
		}
		if e.Output == "" && e.Status == status {
			e.Output = r.Output
		}
		key := e.ComponentID + ":" + m.Name
		checks[key] = append(checks[key], e)
	}
}

// HealthzHandler returns the /healthz handler: the Report as
// application/health+json, 200 for pass or warn and 503 for fail, without
// the outputs unless Options.ShowDetails admits the request.
func (c *Checker) HealthzHandler() http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		rep := c.Report()
		if !c.showDetails(r) {
			rep = rep.withoutDetails()
		}
		body, err := json.MarshalIndent(rep, "", "  ")
		if err != nil {
			writeText(w, http.StatusInternalServerError, Redact(err.Error()))
			return
		}
		h := w.Header()
		h.Set("Content-Type", "application/health+json")
		h.Set("Cache-Control", "no-store")
		code := http.StatusOK
		if rep.Status == StatusFail {
			code = http.StatusServiceUnavailable
		}
		w.WriteHeader(code)
		_, _ = w.Write(append(body, '\n'))
	})
}

// rfc3339 formats t for reports, empty for the zero time.
func rfc3339(t time.Time) string {
	if t.IsZero() {
		return ""
	}
	return t.UTC().Format(time.RFC3339)
}
