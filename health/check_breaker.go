package health

import (
	"context"
	"fmt"
	"strings"
	"time"
)

// BreakerStatus is the state of one circuit breaker, as a resilience
// package reports it.
type BreakerStatus struct {
	// Name identifies the breaker, e.g. the backend it guards.
	Name string
	// State is the breaker's state in words: "closed", "open", "half-open".
	State string
	// Open reports whether the breaker rejects calls.
	Open bool
	// OpenUntil is when an open breaker will let a trial call through.
	OpenUntil time.Time
}

// BreakerCheck returns a readiness check named name over the breaker states
// that states returns: an open breaker makes it warn, never fail, since the
// process degrades gracefully around it. It is WarnOnly, so even a panic in
// states only warns.
func BreakerCheck(name string, states func() []BreakerStatus) Check {
	return Check{
		Name:          name,
		Kind:          Readiness,
		ComponentType: "circuitBreaker",
		WarnOnly:      true,
		Func: func(context.Context) Result {
			var open []string
			var ms []Measurement
			for _, b := range states() {
				m := Measurement{Component: b.Name, Name: "circuitBreaker", Type: "circuitBreaker", Value: b.State, Status: StatusPass}
				if b.Open {
					m.Status = StatusWarn
					m.Output = "open"
					if !b.OpenUntil.IsZero() {
						m.Output = fmt.Sprintf("open until %s", b.OpenUntil.UTC().Format(time.RFC3339))
					}
					open = append(open, b.Name+" "+m.Output)
				}
				ms = append(ms, m)
			}
			if len(open) > 0 {
				return Result{Status: StatusWarn, Output: "breaker " + strings.Join(open, ", "), Measurements: ms}
			}
			return Result{Status: StatusPass, Measurements: ms}
		},
	}
}
