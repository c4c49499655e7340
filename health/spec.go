package health

import (
	"fmt"
	"net/http"
	"time"
)

// Defaults of a backend's deep (generation) check.
const (
	DefaultDeepInterval = 5 * time.Minute
	DefaultDeepTimeout  = 30 * time.Second
)

// Spec describes one dependency or backend in the shape of the
// configuration file's dependencies and backends sections, so that the
// caller can build checks from configuration without this package
// depending on it.
type Spec struct {
	// Name names the check.
	Name string
	// Kind is one of Kinds: http, tcp, qdrant, a backend kind (llamacpp,
	// ollama, vllm, openai), postgres once health/postgrescheck is imported
	// and redis once health/redischeck is.
	Kind string
	// DSN is the PostgreSQL connection string (postgres).
	DSN string
	// Addr is host:port (redis, tcp); for redis a redis:// URL also works.
	Addr string
	// Username and Password authenticate to Redis.
	Username, Password string
	// URL is the endpoint (http) or base URL (qdrant, backends).
	URL string
	// Collection, when set, is a Qdrant collection that must exist and
	// not be red (qdrant).
	Collection string
	// StatusMin and StatusMax bound the accepted status codes (http).
	StatusMin, StatusMax int
	// AcceptStatus, when set, decides which status codes pass (http)
	// instead of StatusMin and StatusMax; ExpectedStatus describes them.
	AcceptStatus   func(status int) bool
	ExpectedStatus string
	// Model must be served by the backend. APIKey is a backend's bearer
	// token, or Qdrant's api-key.
	Model, APIKey string
	// Probes is the set of probes the check takes part in; zero means
	// Readiness.
	Probes Kind
	// NonCritical, Weight, Timeout, Interval, FailureThreshold and
	// FailAfter become the Check fields of the same names.
	NonCritical      bool
	Weight           float64
	Timeout          time.Duration
	Interval         time.Duration
	FailureThreshold int
	FailAfter        time.Duration
	// Deep adds, for a backend, a non-critical "NAME-generation" check that
	// runs a one-token generation every DeepInterval (default 5 minutes)
	// under DeepTimeout (default 30 s). It is off by default because it
	// costs a generation.
	Deep         bool
	DeepInterval time.Duration
	DeepTimeout  time.Duration
	// Client sends HTTP requests (http, qdrant and backends); nil means a
	// private client without keep-alives.
	Client *http.Client
}

// ChecksFromSpec returns the checks for one Spec: one, or two for a backend
// with Deep set.
func ChecksFromSpec(s Spec) ([]Check, error) {
	fn, ctype, err := buildKind(s)
	if err != nil {
		return nil, fmt.Errorf("health: dependency %q: %w", s.Name, err)
	}
	checks := []Check{{
		Name:             s.Name,
		Func:             fn,
		Kind:             s.Probes,
		ComponentType:    ctype,
		Timeout:          s.Timeout,
		Interval:         s.Interval,
		NonCritical:      s.NonCritical,
		Weight:           s.Weight,
		FailureThreshold: s.FailureThreshold,
		FailAfter:        s.FailAfter,
	}}
	if s.Deep && IsBackendKind(s.Kind) {
		d := Check{
			Name:          s.Name + "-generation",
			Func:          GenerationCheck(s.backend()),
			Kind:          Readiness,
			ComponentType: "component",
			Timeout:       s.DeepTimeout,
			Interval:      s.DeepInterval,
			NonCritical:   true,
			Weight:        s.Weight,
		}
		if d.Timeout == 0 {
			d.Timeout = DefaultDeepTimeout
		}
		if d.Interval == 0 {
			d.Interval = DefaultDeepInterval
		}
		checks = append(checks, d)
	}
	return checks, nil
}

// NewFromSpecs returns a Checker holding the checks of every spec (plus the
// performance probe unless opts disables it).
func NewFromSpecs(opts Options, specs ...Spec) (*Checker, error) {
	var checks []Check
	for _, s := range specs {
		cs, err := ChecksFromSpec(s)
		if err != nil {
			return nil, err
		}
		checks = append(checks, cs...)
	}
	return New(opts, checks...)
}

// backend returns s as a Backend.
func (s Spec) backend() Backend {
	return Backend{Kind: s.Kind, URL: s.URL, Model: s.Model, APIKey: s.APIKey, Client: s.Client}
}
