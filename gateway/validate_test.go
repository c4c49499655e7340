package gateway

import (
	"strings"
	"testing"

	"github.com/flywheel-stack/flywheel/config"
)

// TestNewValidatesConfig: a configuration built in code that would make a
// breaker or retry policy panic, or fail requests later, is an error from
// New that names the key.
func TestNewValidatesConfig(t *testing.T) {
	t.Parallel()
	valid := func() *config.Config {
		cfg := config.Default()
		var b config.Backend
		b.SetDefaults()
		b.Name, b.Kind, b.URL = "local", config.KindLlamaCPP, "http://127.0.0.1:1"
		var r config.Route
		r.SetDefaults()
		r.Name, r.Targets = "coder", []config.Target{{Backend: "local", Model: "m"}}
		cfg.Backends, cfg.Routes = []config.Backend{b}, []config.Route{r}
		return cfg
	}
	tests := []struct {
		name   string
		change func(*config.Config)
		want   string
	}{
		{"breaker rate out of range", func(c *config.Config) { c.Backends[0].Breaker.FailureRate = 2 },
			"backends[0].breaker.failure_rate: must be in (0,1], got 2"},
		{"negative retry attempts", func(c *config.Config) { c.Backends[0].Retry.MaxAttempts = -1 },
			"backends[0].retry.max_attempts: must be >= 1, got -1"},
		{"unknown retry preset", func(c *config.Config) { c.Backends[0].Retry.Preset = "hopeful" },
			`backends[0].retry.preset: unknown preset "hopeful"`},
		{"negative timeout", func(c *config.Config) { c.Backends[0].Timeouts.Idle = -1 },
			"backends[0].timeouts.idle: must be > 0"},
		{"route without targets", func(c *config.Config) { c.Routes[0].Targets = nil },
			"routes[0].targets: must list at least one"},
		{"unknown backend", func(c *config.Config) { c.Routes[0].Targets[0].Backend = "nope" },
			`routes[0].targets[0].backend: backend "nope" is not defined`},
		{"degraded status not an error", func(c *config.Config) { c.Routes[0].Degraded.Status = 200 },
			"routes[0].degraded.status: must be a 4xx or 5xx HTTP status, got 200"},
		{"duplicate backend", func(c *config.Config) { c.Backends = append(c.Backends, c.Backends[0]) },
			`backends[1].name: duplicate name "local"`},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			if _, err := New(Options{Config: valid()}); err != nil {
				t.Fatalf("the valid base config: %v", err)
			}
			cfg := valid()
			tc.change(cfg)
			_, err := New(Options{Config: cfg})
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("New: %v, want an error with %q", err, tc.want)
			}
		})
	}
}
