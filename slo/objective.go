package slo

import (
	"fmt"
	"math/big"
	"strconv"
	"time"

	"github.com/flywheel-stack/flywheel/config"
)

// Result is the judgement of one event against one SLO.
type Result uint8

// Judgements.
const (
	// NotCounted: the SLO does not select the event, or the event says
	// nothing about the indicator (a client error, a cancellation, a
	// failed request for a latency SLO).
	NotCounted Result = iota
	// Good counts toward the objective.
	Good
	// Bad spends error budget.
	Bad
)

// String returns "good", "bad" or "not_counted".
func (r Result) String() string {
	switch r {
	case Good:
		return "good"
	case Bad:
		return "bad"
	}
	return "not_counted"
}

// kind is config.SLOKind as a small integer, so that judging switches on a
// byte rather than comparing strings.
type kind uint8

const (
	kindAvailability kind = iota
	kindLatency
	kindTTFT
	kindInterTokenLatency
	kindThroughput
	kindResource
)

var kinds = map[config.SLOKind]kind{
	config.SLOAvailability:      kindAvailability,
	config.SLOLatency:           kindLatency,
	config.SLOTTFT:              kindTTFT,
	config.SLOInterTokenLatency: kindInterTokenLatency,
	config.SLOThroughput:        kindThroughput,
	config.SLOResource:          kindResource,
}

// Objective is one SLO compiled for judging and evaluation.
type Objective struct {
	// Config is the SLO as configured.
	Config config.SLO
	// Period is the rolling window of the objective.
	Period time.Duration
	// Budget is the error budget as a ratio: 1 - objective/100.
	Budget float64

	route, backend, model string
	kind                  kind
	threshold             time.Duration // latency, ttft, inter_token_latency
	value                 float64       // throughput (tokens/s), resource (ceiling)
	// budget is Budget exactly, from the objective as written in decimal.
	budget *big.Rat
}

// Name returns the SLO's name.
func (o *Objective) Name() string { return o.Config.Name }

// Set is the compiled SLOs of a configuration, in file order.
type Set struct {
	objectives []Objective
}

// Compile compiles SLOs that passed config validation. It returns an error
// for what validation would have rejected (an unknown kind or period, an
// objective outside (0,100)), so that a Config built in code and not
// validated cannot produce nonsense.
func Compile(slos []config.SLO) (*Set, error) {
	s := &Set{objectives: make([]Objective, len(slos))}
	for i, c := range slos {
		k, ok := kinds[c.Kind]
		if !ok {
			return nil, fmt.Errorf("slo %q: unknown kind %q", c.Name, c.Kind)
		}
		period := c.Period
		if period == "" {
			period = config.Period30d
		}
		if period.Duration() == 0 {
			return nil, fmt.Errorf("slo %q: unknown period %q", c.Name, c.Period)
		}
		if !(c.Objective > 0 && c.Objective < 100) {
			return nil, fmt.Errorf("slo %q: objective must be strictly between 0 and 100, got %g", c.Name, c.Objective)
		}
		obj, ok := new(big.Rat).SetString(strconv.FormatFloat(c.Objective, 'f', -1, 64))
		if !ok {
			return nil, fmt.Errorf("slo %q: objective %g", c.Name, c.Objective)
		}
		budget := new(big.Rat).Sub(big.NewRat(100, 1), obj)
		budget.Quo(budget, big.NewRat(100, 1))
		bf, _ := budget.Float64()
		c.Period = period
		s.objectives[i] = Objective{
			Config: c, Period: period.Duration(), Budget: bf,
			route: c.Route, backend: c.Backend, model: c.Model, kind: k,
			threshold: c.Threshold.Duration, value: c.Threshold.Value, budget: budget,
		}
	}
	return s, nil
}

// Len returns the number of SLOs.
func (s *Set) Len() int { return len(s.objectives) }

// At returns the i-th SLO, in file order.
func (s *Set) At(i int) *Objective { return &s.objectives[i] }

// Index returns the position of the SLO named name, or -1.
func (s *Set) Index(name string) int {
	for i := range s.objectives {
		if s.objectives[i].Config.Name == name {
			return i
		}
	}
	return -1
}
