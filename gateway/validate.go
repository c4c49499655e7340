package gateway

import (
	"fmt"

	"github.com/flywheel-stack/flywheel/config"
)

// validate checks cfg with the configuration's own rules before anything
// is built, so that a configuration made in code (config.Load has checked
// a file already) fails New with the key at fault instead of panicking
// when a breaker or retry policy is made, or failing requests later. The
// rules live in package config (which maps resilience's own checks to
// their YAML keys); the gateway does not repeat them.
func validate(cfg *config.Config) error {
	if err := cfg.Validate(); err != nil {
		return fmt.Errorf("gateway config: %w", err)
	}
	return nil
}
