package loadgen

import (
	"context"
	"fmt"
	"math"
	"time"

	"github.com/flywheel-stack/flywheel/clock"
)

// SearchConfig tells Search how to ramp.
type SearchConfig struct {
	// Start is the first rate tried, in requests per second.
	Start float64
	// Max is the highest rate tried.
	Max float64
	// Factor multiplies the rate after each step that holds (above 1).
	Factor float64
	// Step is how long each rate is held.
	Step time.Duration
	// Refine is the number of bisection steps between the last rate that
	// held and the first that did not.
	Refine int
	// MaxErrorRate is the error rate (0 to 1) beyond which a step fails.
	MaxErrorRate float64
	// MaxP50 and MaxP99 are the median and p99 latencies (from the due
	// instant) beyond which a step fails: an open loop past saturation
	// queues without bound, so its latencies grow with the step's length.
	// The median is the robust signal on a shared machine, where another
	// process's burst can move p99 alone; 0 disables the p50 bound.
	MaxP50, MaxP99 time.Duration
}

// DefaultSearch is the ramp `flywheel bench` uses: from 1,000 req/s up by
// half each step of 2 s, bisected three times; a step fails beyond 1%
// errors, a 10 ms median or a 200 ms p99 (a short completion takes about
// a millisecond; past saturation both grow by the step's backlog).
func DefaultSearch() SearchConfig {
	return SearchConfig{Start: 1000, Max: 100000, Factor: 1.5, Step: 2 * time.Second, Refine: 3,
		MaxErrorRate: 0.01, MaxP50: 10 * time.Millisecond, MaxP99: 200 * time.Millisecond}
}

func (c SearchConfig) validate() error {
	switch {
	case !(c.Start > 0) || c.Max < c.Start:
		return fmt.Errorf("loadgen: saturation search from %g to %g req/s: want 0 < start ≤ max", c.Start, c.Max)
	case !(c.Factor > 1):
		return fmt.Errorf("loadgen: saturation factor %g: must be above 1", c.Factor)
	case c.Step <= 0:
		return fmt.Errorf("loadgen: saturation step %v: must be above 0", c.Step)
	case c.MaxErrorRate < 0 || c.MaxErrorRate >= 1:
		return fmt.Errorf("loadgen: saturation error rate %g: want 0 to 1", c.MaxErrorRate)
	case c.MaxP99 <= 0:
		return fmt.Errorf("loadgen: saturation p99 %v: must be above 0", c.MaxP99)
	case c.MaxP50 < 0:
		return fmt.Errorf("loadgen: saturation p50 %v: must not be negative", c.MaxP50)
	}
	return nil
}

// maxInFlight bounds the requests a step at rate keeps in flight: by
// Little's law, more than rate × MaxP99 in flight means a mean latency, and
// so a p99, above MaxP99; the step has failed, and sending more would only
// bury the target (and its memory) deeper. The floor keeps low rates free
// of the bound.
func (c SearchConfig) maxInFlight(rate float64) int {
	return max(256, int(rate*c.MaxP99.Seconds()))
}

// holds reports whether a step's result is within the search's bounds, and
// why not.
func (c SearchConfig) holds(p PhaseResult) (bool, string) {
	switch {
	case p.OK == 0:
		return false, "no answer"
	case p.ErrorRate() > c.MaxErrorRate:
		return false, fmt.Sprintf("error rate %.2f%% > %.2f%%", 100*p.ErrorRate(), 100*c.MaxErrorRate)
	case c.MaxP50 > 0 && p.Latency.P50 > c.MaxP50:
		return false, fmt.Sprintf("p50 %v > %v", p.Latency.P50.Round(time.Microsecond), c.MaxP50)
	case p.Latency.P99 > c.MaxP99:
		return false, fmt.Sprintf("p99 %v > %v", p.Latency.P99.Round(time.Microsecond), c.MaxP99)
	}
	return true, ""
}

// Step is one rate Search tried.
type Step struct {
	// Rate is the offered rate.
	Rate float64 `json:"rate"`
	// Held tells whether the step stayed within bounds.
	Held bool `json:"held"`
	// Why says which bound it broke.
	Why string `json:"why,omitempty"`
	// Throughput is the complete answers per second achieved.
	Throughput float64 `json:"throughput"`
	// ErrorRate is failed over answered.
	ErrorRate float64 `json:"error_rate"`
	// P50 and P99 are latencies from the due instant.
	P50 time.Duration `json:"p50_ns"`
	P99 time.Duration `json:"p99_ns"`
}

// Saturation is the result of a search for one side.
type Saturation struct {
	// Target is the side's name.
	Target string `json:"target"`
	// Rate is the highest offered rate that held, 0 if none did.
	Rate float64 `json:"rate"`
	// Throughput is the answers per second achieved at Rate.
	Throughput float64 `json:"throughput"`
	// Capped tells whether the search stopped at Max with every step held.
	Capped bool `json:"capped,omitempty"`
	// Steps lists every rate tried, in order.
	Steps []Step `json:"steps"`
}

// Search ramps an open-loop rate against c, geometrically from Start until a
// step breaks a bound (or Max is reached), then bisects between the last
// rate that held and the first that did not. Each step waits for its
// answers before the next starts, so steps do not overlap.
func Search(ctx context.Context, clk clock.Clock, cfg SearchConfig, name string, c Doer) (Saturation, error) {
	if err := cfg.validate(); err != nil {
		return Saturation{}, err
	}
	return ramp(cfg, name, func(rate float64) (PhaseResult, error) {
		ps, err := interleaved(ctx, clk, Schedule{Rate: rate, Duration: cfg.Step}, 0, cfg.maxInFlight(rate),
			[]string{name}, []Doer{c})
		if err == nil {
			err = ctx.Err()
		}
		if err != nil {
			return PhaseResult{}, err
		}
		return ps[0], nil
	})
}

// ramp is Search's strategy over any way of measuring one rate.
func ramp(cfg SearchConfig, name string, measure func(rate float64) (PhaseResult, error)) (Saturation, error) {
	sat := Saturation{Target: name}
	try := func(rate float64) (bool, error) {
		p, err := measure(rate)
		if err != nil {
			return false, err
		}
		ok, why := cfg.holds(p)
		sat.Steps = append(sat.Steps, Step{Rate: rate, Held: ok, Why: why, Throughput: p.Throughput(),
			ErrorRate: p.ErrorRate(), P50: p.Latency.P50, P99: p.Latency.P99})
		if ok && rate > sat.Rate {
			sat.Rate, sat.Throughput = rate, p.Throughput()
		}
		return ok, nil
	}
	var good, bad float64
	for rate := cfg.Start; ; rate = min(math.Round(rate*cfg.Factor), cfg.Max) {
		ok, err := try(rate)
		if err != nil {
			return sat, err
		}
		if !ok {
			bad = rate
			break
		}
		good = rate
		if rate >= cfg.Max {
			sat.Capped = true
			return sat, nil
		}
	}
	for range cfg.Refine {
		mid := math.Round((good + bad) / 2)
		if good == 0 || mid == good || mid == bad {
			break // even Start failed, or the bounds have met
		}
		ok, err := try(mid)
		if err != nil {
			return sat, err
		}
		if ok {
			good = mid
		} else {
			bad = mid
		}
	}
	return sat, nil
}
