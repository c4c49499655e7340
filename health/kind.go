package health

import "strings"

// Kind is the set of probes a check takes part in. A check may belong to
// several, e.g. Readiness|Startup.
type Kind uint8

const (
	// Readiness checks decide whether the process should receive traffic
	// (/readyz).
	Readiness Kind = 1 << iota
	// Liveness checks decide whether the process should be restarted
	// (/livez). They must reflect only the process itself, never a
	// dependency.
	Liveness
	// Startup checks must each pass once before the process counts as
	// started (/startupz); startup then stays passed.
	Startup
)

// kindAll is every valid Kind bit.
const kindAll = Readiness | Liveness | Startup

// probeKinds lists the single kinds in the order the handlers mount them.
var probeKinds = [...]Kind{Liveness, Readiness, Startup}

// Has reports whether k includes any bit of p.
func (k Kind) Has(p Kind) bool { return k&p != 0 }

// String returns the kinds joined with "|", e.g. "readiness|startup".
func (k Kind) String() string {
	var parts []string
	if k.Has(Liveness) {
		parts = append(parts, "liveness")
	}
	if k.Has(Readiness) {
		parts = append(parts, "readiness")
	}
	if k.Has(Startup) {
		parts = append(parts, "startup")
	}
	if len(parts) == 0 {
		return "none"
	}
	return strings.Join(parts, "|")
}

// ProbeName returns the probe path name of a single kind: "livez",
// "readyz" or "startupz" ("" for a set of several kinds).
func (k Kind) ProbeName() string {
	switch k {
	case Liveness:
		return "livez"
	case Readiness:
		return "readyz"
	case Startup:
		return "startupz"
	}
	return ""
}
