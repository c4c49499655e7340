package health

import (
	"fmt"
	"io"
	"net/http"
	"slices"
	"strings"
)

// Register mounts the probes on mux the way Kubernetes components serve
// them: GET /livez, /readyz and /startupz (with ?verbose and repeatable
// ?exclude=NAME), GET /livez/NAME, /readyz/NAME and /startupz/NAME for one
// check, and GET /healthz for the full report.
func (c *Checker) Register(mux *http.ServeMux) {
	for _, k := range probeKinds {
		h := c.ProbeHandler(k)
		mux.Handle("GET /"+k.ProbeName(), h)
		mux.Handle("GET /"+k.ProbeName()+"/{check}", h)
	}
	mux.Handle("GET /healthz", c.HealthzHandler())
}

// Handler returns a handler serving the paths Register mounts.
func (c *Checker) Handler() http.Handler {
	mux := http.NewServeMux()
	c.Register(mux)
	return mux
}

// ProbeHandler returns the handler of one probe kind (Liveness, Readiness or
// Startup). It serves the probe at any path; a path ending in
// "/<probe>/NAME" (or a {check} path value) selects one check. Every answer
// comes from the cache.
func (c *Checker) ProbeHandler(kind Kind) http.Handler {
	p := kind.ProbeName()
	if p == "" {
		panic("health: ProbeHandler needs a single kind")
	}
	return &probeHandler{c: c, kind: kind, probe: p, sub: "/" + p + "/", failed: p + " check failed"}
}

type probeHandler struct {
	c      *Checker
	kind   Kind
	probe  string // "readyz"
	sub    string // "/readyz/"
	failed string // "readyz check failed"
}

// ServeHTTP answers from the cached results.
func (h *probeHandler) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	name := r.PathValue("check")
	if name == "" {
		if i := strings.LastIndex(r.URL.Path, h.sub); i >= 0 {
			name = r.URL.Path[i+len(h.sub):]
		}
	}
	if name == "" && r.URL.RawQuery == "" {
		// The hot path: one atomic load, no listing.
		if h.c.Status(h.kind) == StatusFail {
			writeText(w, http.StatusServiceUnavailable, h.failed)
			return
		}
		writeText(w, http.StatusOK, "ok")
		return
	}
	q := r.URL.Query()
	_, verbose := q["verbose"]
	details := h.c.showDetails(r)
	if name != "" {
		h.serveOne(w, name, verbose, details)
		return
	}
	h.serveAll(w, verbose, details, excludeSet(q["exclude"]))
}

// serveAll answers for every check of the probe but the excluded ones;
// details says whether the lines carry the checks' outputs.
func (h *probeHandler) serveAll(w http.ResponseWriter, verbose, details bool, exclude map[string]bool) {
	results, latched := h.c.view(h.kind)
	skip := func(name string) bool { return exclude[name] }
	var st Status
	if h.kind == Startup {
		st = startupStatus(results, latched, skip)
	} else {
		st = aggregate(results, h.kind, skip)
	}
	code := http.StatusOK
	if st == StatusFail {
		code = http.StatusServiceUnavailable
	}
	if !verbose {
		if code == http.StatusOK {
			writeText(w, code, "ok")
		} else {
			writeText(w, code, h.failed)
		}
		return
	}
	var b strings.Builder
	for i := range results {
		r := &results[i]
		if exclude[r.Name] {
			fmt.Fprintf(&b, "[+]%s excluded: ok\n", r.Name)
			delete(exclude, r.Name)
			continue
		}
		line, _ := h.line(r, latched, details)
		b.WriteString(line)
		b.WriteByte('\n')
	}
	if len(exclude) > 0 {
		fmt.Fprintf(&b, "warn: some health checks cannot be excluded: no matches for %s\n", quotedKeys(exclude))
	}
	b.WriteString(h.verdict(code))
	writeText(w, code, b.String())
}

// serveOne answers for the named check: 404 when the probe has no such
// check, 503 when it fails (critical or not), 200 otherwise.
func (h *probeHandler) serveOne(w http.ResponseWriter, name string, verbose, details bool) {
	results, latched := h.c.view(h.kind)
	for i := range results {
		r := &results[i]
		if r.Name != name {
			continue
		}
		line, st := h.line(r, latched, details)
		code := http.StatusOK
		if st == StatusFail {
			code = http.StatusServiceUnavailable
		}
		switch {
		case verbose:
			writeText(w, code, line+"\n"+h.verdict(code))
		case code == http.StatusOK:
			writeText(w, code, "ok")
		default:
			writeText(w, code, line)
		}
		return
	}
	writeText(w, http.StatusNotFound, fmt.Sprintf("%s: no check named %q", h.probe, name))
}

// line formats one check in the Kubernetes verbose style and returns the
// check's own status (a non-critical failure is still a fail here). Without
// details, "details withheld" stands in for the check's output.
func (h *probeHandler) line(r *CheckResult, latched, details bool) (string, Status) {
	output := r.Output
	if !details {
		output = withheld
	}
	if h.kind == Startup {
		if latched || r.EverPassed {
			return "[+]" + r.Name + " ok", StatusPass
		}
		reason := output
		if r.Status.OK() || r.Output == "" {
			reason = "has not passed yet"
		}
		return "[-]" + r.Name + " failed: " + reason, StatusFail
	}
	switch r.Status {
	case StatusPass:
		if r.Observed == StatusFail {
			return fmt.Sprintf("[+]%s ok (failing %dx, not reported yet: %s)", r.Name, r.ConsecutiveFailures, output), StatusPass
		}
		return "[+]" + r.Name + " ok", StatusPass
	case StatusWarn:
		return "[+]" + r.Name + " ok (warn: " + output + ")", StatusWarn
	}
	crit := ""
	if !r.Critical {
		crit = " (non-critical)"
	}
	return "[-]" + r.Name + " failed" + crit + ": " + output, StatusFail
}

// verdict is the last line of a verbose answer.
func (h *probeHandler) verdict(code int) string {
	if code == http.StatusOK {
		return h.probe + " check passed"
	}
	return h.failed
}

// view returns the cached results of the checks of one probe kind, with the
// heartbeat first for liveness, and whether startup has latched.
func (c *Checker) view(kind Kind) ([]CheckResult, bool) {
	s := c.snap.Load()
	var out []CheckResult
	if kind == Liveness {
		out = append(out, c.heartbeat(c.clock.Now()))
	}
	for i := range s.results {
		if s.results[i].Kind.Has(kind) {
			out = append(out, s.results[i])
		}
	}
	return out, s.latched
}

// excludeSet collects the ?exclude values; each may also hold a
// comma-separated list.
func excludeSet(values []string) map[string]bool {
	set := make(map[string]bool, len(values))
	for _, v := range values {
		for _, n := range strings.Split(v, ",") {
			if n = strings.TrimSpace(n); n != "" {
				set[n] = true
			}
		}
	}
	return set
}

// quotedKeys lists the keys of set, quoted and sorted.
func quotedKeys(set map[string]bool) string {
	keys := make([]string, 0, len(set))
	for k := range set {
		keys = append(keys, fmt.Sprintf("%q", k))
	}
	slices.Sort(keys)
	return strings.Join(keys, ", ")
}

// Header values shared by every plain-text answer, assigned without
// copying to keep the probe path free of allocations. Header.Set and
// Header.Add replace or grow these slices and never write into them.
var (
	plainType = []string{"text/plain; charset=utf-8"}
	noSniff   = []string{"nosniff"}
	noStore   = []string{"no-store"}
)

// writeText writes a short plain-text answer.
func writeText(w http.ResponseWriter, code int, body string) {
	h := w.Header()
	h["Content-Type"] = plainType
	h["X-Content-Type-Options"] = noSniff
	h["Cache-Control"] = noStore
	w.WriteHeader(code)
	_, _ = io.WriteString(w, body)
}
