package gateway

import (
	"errors"
	"fmt"

	"github.com/flywheel-stack/flywheel/config"
)

// validate checks what the gateway builds from cfg before it builds
// anything, so that a configuration made in code (config.Load has checked
// a file already) fails New with the key at fault instead of panicking
// when a breaker or retry policy is made, or failing requests later.
func validate(cfg *config.Config) error {
	var errs []error
	fail := func(key, format string, a ...any) {
		errs = append(errs, fmt.Errorf("gateway config: %s: %s", key, fmt.Sprintf(format, a...)))
	}
	backends := map[string]bool{}
	for i, b := range cfg.Backends {
		at := fmt.Sprintf("backends[%d]", i)
		switch {
		case b.Name == "":
			fail(at+".name", "required")
		case backends[b.Name]:
			fail(at+".name", "%q is defined twice", b.Name)
		}
		backends[b.Name] = true
		if err := b.BreakerConfig().Validate(); err != nil {
			fail(at+".breaker", "%v", joined(err))
		}
		if rc, err := b.RetryConfig(); err != nil {
			fail(at+".retry", "%v", err)
		} else if err := rc.Validate(); err != nil {
			fail(at+".retry", "%v", joined(err))
		}
		to := b.Timeouts
		for _, d := range []struct {
			key string
			v   any
			ok  bool
		}{
			{"timeouts.connect", to.Connect, to.Connect >= 0}, {"timeouts.first_token", to.FirstToken, to.FirstToken >= 0},
			{"timeouts.idle", to.Idle, to.Idle >= 0}, {"timeouts.total", to.Total, to.Total >= 0},
			{"max_concurrent", b.MaxConcurrent, b.MaxConcurrent >= 0}, {"max_event_bytes", b.MaxEventBytes, b.MaxEventBytes >= 0},
		} {
			if !d.ok {
				fail(at+"."+d.key, "must be >= 0, got %v", d.v)
			}
		}
	}
	routes := map[string]bool{}
	for i, r := range cfg.Routes {
		at := fmt.Sprintf("routes[%d]", i)
		switch {
		case r.Name == "":
			fail(at+".name", "required")
		case routes[r.Name]:
			fail(at+".name", "%q is defined twice", r.Name)
		}
		routes[r.Name] = true
		if len(r.Targets) == 0 {
			fail(at+".targets", "must list at least one {backend, model}")
		}
		for j, t := range r.Targets {
			tat := fmt.Sprintf("%s.targets[%d]", at, j)
			if !backends[t.Backend] {
				fail(tat+".backend", "backend %q is not defined", t.Backend)
			}
			if t.Model == "" {
				fail(tat+".model", "required")
			}
		}
		if s := r.Degraded.Status; s < 400 || s > 599 {
			fail(at+".degraded.status", "must be a 4xx or 5xx status, got %d", s)
		}
	}
	return errors.Join(errs...)
}

// joined flattens an errors.Join error onto one line.
func joined(err error) string {
	j, ok := err.(interface{ Unwrap() []error })
	if !ok {
		return err.Error()
	}
	s := ""
	for i, e := range j.Unwrap() {
		if i > 0 {
			s += "; "
		}
		s += e.Error()
	}
	return s
}
