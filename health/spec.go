package health

import (
	"fmt"
	"net/http"
	"strings"
	"time"

	"github.com/redis/go-redis/v9"
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
	// Kind is postgres, redis, http, tcp, or a backend kind: llamacpp,
	// ollama, vllm, openai.
	Kind string
	// DSN is the PostgreSQL connection string (postgres).
	DSN string
	// Addr is host:port (redis, tcp); for redis a redis:// URL also works.
	Addr string
	// Username and Password authenticate to Redis.
	Username, Password string
	// URL is the endpoint (http) or base URL (backends).
	URL string
	// StatusMin and StatusMax bound the accepted status codes (http).
	StatusMin, StatusMax int
	// AcceptStatus, when set, decides which status codes pass (http)
	// instead of StatusMin and StatusMax; ExpectedStatus describes them.
	AcceptStatus   func(status int) bool
	ExpectedStatus string
	// Model must be served by the backend; APIKey is its bearer token.
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
	// Client sends HTTP requests (http and backends); nil means a private
	// client without keep-alives.
	Client *http.Client
}

// ChecksFromSpec returns the checks for one Spec: one, or two for a backend
// with Deep set.
func ChecksFromSpec(s Spec) ([]Check, error) {
	fn, ctype, err := s.checkFunc()
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
	if s.Deep && s.isBackend() {
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

// isBackend reports whether s is an inference backend.
func (s Spec) isBackend() bool {
	switch s.Kind {
	case BackendLlamaCpp, BackendOllama, BackendVLLM, BackendOpenAI:
		return true
	}
	return false
}

// backend returns s as a Backend.
func (s Spec) backend() Backend {
	return Backend{Kind: s.Kind, URL: s.URL, Model: s.Model, APIKey: s.APIKey, Client: s.Client}
}

// checkFunc builds the CheckFunc and the IETF componentType for s.
func (s Spec) checkFunc() (CheckFunc, string, error) {
	switch s.Kind {
	case "postgres", "postgresql":
		if s.DSN == "" {
			return nil, "", fmt.Errorf("%w: postgres needs a dsn", ErrInvalidCheck)
		}
		return PostgresDSNCheck(s.DSN), "datastore", nil
	case "redis":
		opts, err := s.redisOptions()
		if err != nil {
			return nil, "", err
		}
		return RedisOptionsCheck(*opts), "datastore", nil
	case "http":
		if s.URL == "" {
			return nil, "", fmt.Errorf("%w: http needs a url", ErrInvalidCheck)
		}
		return HTTPCheck(s.URL, HTTPOptions{Client: s.Client, StatusMin: s.StatusMin, StatusMax: s.StatusMax,
			Accept: s.AcceptStatus, Expected: s.ExpectedStatus}), "component", nil
	case "tcp":
		if s.Addr == "" {
			return nil, "", fmt.Errorf("%w: tcp needs an addr", ErrInvalidCheck)
		}
		return TCPCheck(s.Addr), "component", nil
	}
	if s.isBackend() {
		if s.URL == "" {
			return nil, "", fmt.Errorf("%w: backend %s needs a url", ErrInvalidCheck, s.Kind)
		}
		fn, err := BackendCheck(s.backend())
		return fn, "component", err
	}
	return nil, "", fmt.Errorf("%w: kind %q unknown (want postgres, redis, http, tcp, %s, %s, %s or %s)",
		ErrInvalidCheck, s.Kind, BackendLlamaCpp, BackendOllama, BackendVLLM, BackendOpenAI)
}

// redisOptions parses Addr (host:port or a redis:// URL) with the
// credentials.
func (s Spec) redisOptions() (*redis.Options, error) {
	if s.Addr == "" && s.URL == "" {
		return nil, fmt.Errorf("%w: redis needs an addr", ErrInvalidCheck)
	}
	addr := s.Addr
	if addr == "" {
		addr = s.URL
	}
	opts := &redis.Options{Addr: addr}
	if strings.Contains(addr, "://") {
		var err error
		if opts, err = redis.ParseURL(addr); err != nil {
			return nil, fmt.Errorf("%w: redis url: %s", ErrInvalidCheck, Redact(err.Error()))
		}
	}
	if s.Username != "" {
		opts.Username = s.Username
	}
	if s.Password != "" {
		opts.Password = s.Password
	}
	return opts, nil
}
