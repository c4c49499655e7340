// Package resilienceprom exports the breakers and retriers of package
// resilience as Prometheus metrics. It lives apart so that importing
// resilience does not pull in the Prometheus client, in the way failsafe-go
// keeps its HTTP support in failsafehttp.
package resilienceprom

import (
	"sort"
	"sync"

	"github.com/flywheel-stack/flywheel/resilience"
	"github.com/prometheus/client_golang/prometheus"
)

var (
	descBreakerState = prometheus.NewDesc("flywheel_breaker_state",
		"Circuit breaker state: 1 for the current state, 0 for the others.", []string{"breaker", "state"}, nil)
	descBreakerCalls = prometheus.NewDesc("flywheel_breaker_calls_total",
		"Calls seen by a circuit breaker, by outcome (success, failure, ignored, rejected).", []string{"breaker", "outcome"}, nil)
	descBreakerTransitions = prometheus.NewDesc("flywheel_breaker_transitions_total",
		"Circuit breaker state transitions, by destination state.", []string{"breaker", "to"}, nil)
	descBreakerOpenUntil = prometheus.NewDesc("flywheel_breaker_open_until_timestamp_seconds",
		"Unix time at which an open breaker admits trial calls; 0 when not open.", []string{"breaker"}, nil)
	descRetryCalls = prometheus.NewDesc("flywheel_retry_calls_total",
		"Calls made through a retry policy.", []string{"policy"}, nil)
	descRetryRetries = prometheus.NewDesc("flywheel_retry_retries_total",
		"Attempts after the first, by retry policy.", []string{"policy"}, nil)
	descRetryGaveUp = prometheus.NewDesc("flywheel_retry_gave_up_total",
		"Calls that failed after their last allowed attempt.", []string{"policy"}, nil)
	descRetryBudget = prometheus.NewDesc("flywheel_retry_budget_exhausted_total",
		"Retries refused because the retry budget was spent.", []string{"policy"}, nil)
)

// Collector exports the breakers of a registry (and any retriers added to
// it) as Prometheus metrics, read from their counters at scrape time.
type Collector struct {
	registry *resilience.Registry
	mu       sync.Mutex
	breakers map[string]*resilience.Breaker
	retriers map[string]*resilience.Retrier
}

// NewCollector returns a collector over reg (which may be nil).
func NewCollector(reg *resilience.Registry) *Collector {
	return &Collector{registry: reg, breakers: map[string]*resilience.Breaker{}, retriers: map[string]*resilience.Retrier{}}
}

// AddBreaker exports a breaker that lives outside the registry.
func (c *Collector) AddBreaker(b *resilience.Breaker) {
	c.mu.Lock()
	c.breakers[b.Name()] = b
	c.mu.Unlock()
}

// AddRetrier exports a retrier's counters under the policy label name.
func (c *Collector) AddRetrier(name string, r *resilience.Retrier) {
	c.mu.Lock()
	c.retriers[name] = r
	c.mu.Unlock()
}

// Describe sends the metric descriptions.
func (c *Collector) Describe(ch chan<- *prometheus.Desc) {
	for _, d := range []*prometheus.Desc{descBreakerState, descBreakerCalls, descBreakerTransitions,
		descBreakerOpenUntil, descRetryCalls, descRetryRetries, descRetryGaveUp, descRetryBudget} {
		ch <- d
	}
}

// Collect sends the current values.
func (c *Collector) Collect(ch chan<- prometheus.Metric) {
	var snaps []resilience.Snapshot
	if c.registry != nil {
		snaps = c.registry.Snapshot()
	}
	c.mu.Lock()
	for _, b := range c.breakers {
		snaps = append(snaps, b.Snapshot())
	}
	retriers := make([]string, 0, len(c.retriers))
	for name := range c.retriers {
		retriers = append(retriers, name)
	}
	sort.Strings(retriers)
	stats := make([]resilience.RetryStats, len(retriers))
	for i, name := range retriers {
		stats[i] = c.retriers[name].Stats()
	}
	c.mu.Unlock()

	for _, s := range snaps {
		for _, st := range resilience.States {
			v := 0.0
			if s.State == st {
				v = 1
			}
			ch <- prometheus.MustNewConstMetric(descBreakerState, prometheus.GaugeValue, v, s.Name, st.String())
			ch <- prometheus.MustNewConstMetric(descBreakerTransitions, prometheus.CounterValue,
				float64(s.Totals.Transitions[st]), s.Name, st.String())
		}
		for outcome, v := range map[string]uint64{"success": s.Totals.Successes, "failure": s.Totals.Failures,
			"ignored": s.Totals.Ignored, "rejected": s.Totals.Rejected} {
			ch <- prometheus.MustNewConstMetric(descBreakerCalls, prometheus.CounterValue, float64(v), s.Name, outcome)
		}
		until := 0.0
		if s.State == resilience.StateOpen {
			until = float64(s.OpenUntil.UnixNano()) / 1e9
		}
		ch <- prometheus.MustNewConstMetric(descBreakerOpenUntil, prometheus.GaugeValue, until, s.Name)
	}
	for i, name := range retriers {
		st := stats[i]
		ch <- prometheus.MustNewConstMetric(descRetryCalls, prometheus.CounterValue, float64(st.Calls), name)
		ch <- prometheus.MustNewConstMetric(descRetryRetries, prometheus.CounterValue, float64(st.Retries), name)
		ch <- prometheus.MustNewConstMetric(descRetryGaveUp, prometheus.CounterValue, float64(st.GaveUp), name)
		ch <- prometheus.MustNewConstMetric(descRetryBudget, prometheus.CounterValue, float64(st.BudgetExhausted), name)
	}
}
