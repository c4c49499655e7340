package server

import (
	"context"
	"fmt"
	"log/slog"
	"os"
	"strings"

	"github.com/flywheel-stack/flywheel/config"
	"github.com/flywheel-stack/flywheel/gateway"
	"github.com/flywheel-stack/flywheel/health"
	"github.com/flywheel-stack/flywheel/health/hostcheck"
	_ "github.com/flywheel-stack/flywheel/health/postgrescheck" // the postgres kind
	_ "github.com/flywheel-stack/flywheel/health/redischeck"    // the redis kind
	"github.com/flywheel-stack/flywheel/resilience"
)

// dependencySpec maps config dependency i onto a health spec.
func dependencySpec(i int, d config.Dependency, getenv func(string) string) (health.Spec, error) {
	s := health.Spec{Name: d.Name, Kind: string(d.Kind), Addr: d.Addr, URL: d.URL, Collection: d.Collection, NonCritical: !d.Critical,
		Weight: d.Weight, Timeout: d.Timeout, Interval: d.Interval, FailureThreshold: d.FailureThreshold, FailAfter: d.FailAfter}
	dsn := d.DSN
	if d.DSNEnv != "" {
		if dsn = getenv(d.DSNEnv); dsn == "" {
			return s, fmt.Errorf("dependencies[%d].dsn_env: the environment variable %s, holding the DSN of %s, is not set", i, d.DSNEnv, d.Name)
		}
	}
	s.DSN = dsn
	if d.PasswordEnv != "" {
		if s.Password = getenv(d.PasswordEnv); s.Password == "" {
			return s, fmt.Errorf("dependencies[%d].password_env: the environment variable %s, holding the password of %s, is not set", i, d.PasswordEnv, d.Name)
		}
	}
	s.Username = d.Username
	if d.APIKeyEnv != "" {
		if s.APIKey = getenv(d.APIKeyEnv); s.APIKey == "" {
			return s, fmt.Errorf("dependencies[%d].api_key_env: the environment variable %s, holding the API key of %s, is not set", i, d.APIKeyEnv, d.Name)
		}
	}
	switch d.Kind {
	case config.DepSQL:
		// The binary links PostgreSQL's driver; other database/sql
		// drivers are for library users (health.SQLCheck).
		if !strings.HasPrefix(dsn, "postgres://") && !strings.HasPrefix(dsn, "postgresql://") && !strings.Contains(dsn, "host=") {
			return s, fmt.Errorf("dependencies[%d].dsn: kind sql: the flywheel binary checks PostgreSQL DSNs only; use health.SQLCheck from Go for other drivers", i)
		}
		s.Kind = "postgres"
	case config.DepHTTP:
		ranges := d.ExpectedStatus
		if len(ranges) > 0 {
			s.AcceptStatus, s.ExpectedStatus = ranges.Contains, ranges.String()
		}
	}
	return s, nil
}

// buildChecker assembles the health checker: the configured dependencies,
// a check per backend (non-critical: a route can fall back), the breakers
// (warn only) and a critical check that at least one route exists. The
// dependencies and backend checks are cfg's (a reload keeps them); the
// breakers and routes checks read the gateway serving now (current).
func buildChecker(cfg *config.Config, gw *gateway.Gateway, current func() *config.Config, version string,
	getenv func(string) string, logger *slog.Logger, extra ...health.Check) (*health.Checker, error) {
	checks := extra
	for i, d := range cfg.Dependencies {
		spec, err := dependencySpec(i, d, getenv)
		if err != nil {
			return nil, err
		}
		cs, err := health.ChecksFromSpec(spec)
		if err != nil {
			return nil, err
		}
		checks = append(checks, cs...)
	}
	models := map[string]string{} // a model each backend must serve
	for _, r := range cfg.Routes {
		for _, t := range r.Targets {
			if _, ok := models[t.Backend]; !ok {
				models[t.Backend] = t.Model
			}
		}
	}
	for _, bc := range cfg.Backends {
		name, dc, b := bc.Name, bc.DeepCheck, gw.Backends()[bc.Name]
		if dc.Enabled && models[name] == "" {
			logger.Warn("deep_check skipped: no route names a model on this backend", "backend", name)
		}
		spec := health.Spec{Name: "backend-" + name, Kind: string(b.Kind), URL: b.BaseURL, Model: models[name],
			APIKey: b.APIKey(), NonCritical: true, Interval: cfg.Health.Interval,
			Deep: dc.Enabled && models[name] != "", DeepInterval: dc.Interval, DeepTimeout: dc.Timeout}
		cs, err := health.ChecksFromSpec(spec)
		if err != nil {
			return nil, err
		}
		checks = append(checks, cs...)
	}
	checks = append(checks, health.BreakerCheck("breakers", func() []health.BreakerStatus {
		var out []health.BreakerStatus
		for _, s := range gw.Breakers().Snapshot() {
			open := s.State == resilience.StateOpen || s.State == resilience.StateForcedOpen
			out = append(out, health.BreakerStatus{Name: s.Name, State: s.State.String(), Open: open, OpenUntil: s.OpenUntil})
		}
		return out
	}))
	checks = append(checks, health.Check{Name: "routes", Kind: health.Readiness | health.Startup,
		Func: func(context.Context) health.Result {
			cur := current()
			routes := len(cur.Routes)
			// A file with dependencies and no backend at all asks for the
			// health checks alone (a health endpoint for a knowledge
			// database, say): that is not a gateway missing its routes.
			healthOnly := routes == 0 && len(cur.Backends) == 0 && len(cur.Dependencies) > 0
			if healthOnly {
				return health.Passf("no backend configured: serving the dependencies' health checks only")
			}
			if routes == 0 {
				return health.Failf("no route is configured: add a backend and a route to flywheel.yaml (see docs/configuration.md), or start llama.cpp, Ollama or vLLM on its standard port")
			}
			return health.Passf("%d route(s)", routes)
		}})
	th := cfg.Health.Thresholds
	// The checks' reasons name database users, hosts and file paths: only
	// the admin token sees them (none does when the admin API is off).
	var adminToken string
	if cfg.Server.AdminTokenEnv != "" {
		adminToken = getenv(cfg.Server.AdminTokenEnv)
	}
	return health.New(health.Options{
		Interval: cfg.Health.Interval, ServiceID: "flywheel", Logger: logger, Version: version, Description: "Flywheel gateway",
		ShowDetails: health.BearerToken(adminToken),
		Performance: health.PerfOptions{Sampler: hostcheck.NewSampler(""), Thresholds: health.Thresholds{CPUPercent: th.CPUPercent,
			MemoryPercent: th.MemoryPercent, DiskPercent: th.DiskPercent}},
	}, checks...)
}

func osGetenv(k string) string { return os.Getenv(k) }
