package server

import (
	"strings"
	"sync/atomic"

	"github.com/flywheel-stack/flywheel/config"
	"github.com/flywheel-stack/flywheel/resilience"
)

// newBreakers makes the breaker registry every gateway the server builds
// shares, so that a reload keeps each target's state. A breaker is made
// from the breaker section of its backend in cfg's configuration: the one
// being built, which is the one serving once a reload has succeeded.
// Breakers that exist keep their state and the settings they were made
// with.
func newBreakers(opts Options, cfg *atomic.Pointer[config.Config]) *resilience.Registry {
	return resilience.NewRegistry(resilience.RegistryConfig{
		Clock: opts.Clock,
		ConfigFor: func(key string) resilience.BreakerConfig {
			name, _, _ := strings.Cut(key, "/")
			for _, b := range cfg.Load().Backends {
				if b.Name == name {
					return b.BreakerConfig()
				}
			}
			return resilience.BreakerConfig{}
		},
		OnStateChange: func(t resilience.Transition) {
			opts.Logger.Warn("breaker state changed", "breaker", t.Breaker, "from", t.From.String(), "to", t.To.String(),
				"reason", t.Reason, "open_until", t.OpenUntil)
			if opts.OnBreakerChange != nil {
				opts.OnBreakerChange(t)
			}
		},
	})
}
