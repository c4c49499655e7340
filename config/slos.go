package config

import (
	"fmt"
	"math"
	"strconv"
	"strings"
	"time"

	"go.yaml.in/yaml/v3"
)

// SLOKind names the indicator an SLO judges.
type SLOKind string

// SLO kinds.
const (
	// SLOAvailability counts answers without a backend error and not
	// degraded as good; client errors and cancellations are not counted.
	SLOAvailability SLOKind = "availability"
	// SLOLatency counts answers whose end-to-end latency is <= threshold.
	SLOLatency SLOKind = "latency"
	// SLOTTFT counts answers whose time to first token is <= threshold.
	SLOTTFT SLOKind = "ttft"
	// SLOInterTokenLatency counts streamed answers whose mean time between
	// tokens after the first is <= threshold.
	SLOInterTokenLatency SLOKind = "inter_token_latency"
	// SLOThroughput counts answers whose decode speed (tokens/s) is >=
	// threshold.
	SLOThroughput SLOKind = "throughput"
	// SLOResource counts samples of a gauge that are <= threshold.
	SLOResource SLOKind = "resource"
)

// SLOKinds lists the accepted kinds.
func SLOKinds() []SLOKind {
	return []SLOKind{SLOAvailability, SLOLatency, SLOTTFT, SLOInterTokenLatency, SLOThroughput, SLOResource}
}

// SLOResourceName names the gauge a resource SLO samples.
type SLOResourceName string

// Gauges a resource SLO may keep under a ceiling.
const (
	// ResourceGPUUtilization is a GPU's utilisation, a ratio in [0,1],
	// per GPU.
	ResourceGPUUtilization SLOResourceName = "gpu_utilization"
	// ResourceGPUMemory is a GPU's memory in use over its total, a ratio
	// in [0,1], per GPU.
	ResourceGPUMemory SLOResourceName = "gpu_memory"
	// ResourceKVCache is a backend's KV-cache usage, a ratio in [0,1].
	ResourceKVCache SLOResourceName = "kv_cache"
	// ResourceQueue is the number of requests waiting in a backend.
	ResourceQueue SLOResourceName = "queue"
)

// SLOPeriod is the rolling window an SLO's objective and error budget are
// measured over: 30d, 28d or 7d.
type SLOPeriod string

// SLO periods.
const (
	// Period30d is 30 days, the default.
	Period30d SLOPeriod = "30d"
	// Period28d is 28 days (four whole weeks).
	Period28d SLOPeriod = "28d"
	// Period7d is 7 days.
	Period7d SLOPeriod = "7d"
)

// Duration returns the period as a duration; 0 for an unknown period.
func (p SLOPeriod) Duration() time.Duration {
	switch p {
	case Period30d:
		return 30 * 24 * time.Hour
	case Period28d:
		return 28 * 24 * time.Hour
	case Period7d:
		return 7 * 24 * time.Hour
	}
	return 0
}

// OnPage is what Flywheel does while an SLO's page alert is active.
type OnPage string

// Actions on a page alert.
const (
	// OnPageAlert only alerts; the default.
	OnPageAlert OnPage = ""
	// OnPageDemote moves the SLO's backend behind the next target in every
	// route that uses it until the alert resolves.
	OnPageDemote OnPage = "demote"
)

// DefaultSLOMinEvents is the fewest events a window needs before it can
// fire an alert, when the file sets none.
const DefaultSLOMinEvents = 10

// SLO is one service level objective: which inferences it judges, how, and
// the share of them that must be good over its period.
type SLO struct {
	// Name identifies the SLO in metrics, alerts and the admin API.
	// Required, unique; letters, digits, '_', '.' and '-'.
	Name string `yaml:"name"`
	// Route selects inferences of this route; empty selects every route.
	Route string `yaml:"route"`
	// Backend selects the targets on this backend that a request tried:
	// each is judged (slo.Objective.Judge); empty selects every backend.
	Backend string `yaml:"backend"`
	// Model selects inferences whose target model is this one; empty
	// selects every model.
	Model string `yaml:"model"`
	// Kind is the indicator. Required.
	Kind SLOKind `yaml:"kind"`
	// Resource is the gauge a resource SLO samples; only for kind
	// resource, where it is required.
	Resource SLOResourceName `yaml:"resource"`
	// Objective is the percentage of good events, strictly between 0 and
	// 100. Required.
	Objective float64 `yaml:"objective"`
	// Period is the rolling window of the objective. Default 30d.
	Period SLOPeriod `yaml:"period"`
	// Threshold separates good from bad: a duration for latency, ttft and
	// inter_token_latency, tokens/s for throughput, the ceiling for
	// resource. Not used by availability.
	Threshold SLOThreshold `yaml:"threshold"`
	// MinEvents is the fewest events a window needs before it can fire an
	// alert. Default 10; 0 and 1 set no minimum.
	MinEvents int `yaml:"min_events"`
	// OnPage is "" (alert only) or demote, which needs Backend.
	OnPage OnPage `yaml:"on_page"`
}

// SetDefaults sets every field to its default: a 30d period and 10
// events per window, nothing else.
func (s *SLO) SetDefaults() {
	*s = SLO{Period: Period30d, MinEvents: DefaultSLOMinEvents}
}

// ErrorBudget returns the share of events that may be bad: 1 -
// objective/100.
func (s SLO) ErrorBudget() float64 { return (100 - s.Objective) / 100 }

// SLOThreshold is an SLO's threshold as the file wrote it: a duration
// ("800ms") or a number (50, 0.95).
type SLOThreshold struct {
	// Duration is the threshold when the file wrote a duration.
	Duration time.Duration
	// Value is the threshold when the file wrote a number.
	Value float64
	// IsDuration tells which of the two the file wrote.
	IsDuration bool
	// Set tells whether the file wrote a threshold at all.
	Set bool
}

// UnmarshalYAML reads a duration with a unit or a finite number.
func (t *SLOThreshold) UnmarshalYAML(n *yaml.Node) error {
	if n.Kind != yaml.ScalarNode {
		return typeError(`a duration like "800ms" or a number`, n)
	}
	switch n.ShortTag() {
	case "!!int", "!!float":
		f, err := strconv.ParseFloat(strings.ReplaceAll(n.Value, "_", ""), 64)
		if err != nil || math.IsNaN(f) || math.IsInf(f, 0) {
			return typeError("a finite number", n)
		}
		*t = SLOThreshold{Value: f, Set: true}
		return nil
	case "!!str":
		d, err := time.ParseDuration(strings.TrimSpace(n.Value))
		if err != nil {
			return fmt.Errorf(`invalid threshold %q: write a duration like "800ms" or a number like 50`, n.Value)
		}
		*t = SLOThreshold{Duration: d, IsDuration: true, Set: true}
		return nil
	}
	return typeError(`a duration like "800ms" or a number`, n)
}

// String formats the threshold as the file wrote it ("800ms", "50"), or
// "" when unset.
func (t SLOThreshold) String() string {
	switch {
	case !t.Set:
		return ""
	case t.IsDuration:
		return t.Duration.String()
	}
	return strconv.FormatFloat(t.Value, 'g', -1, 64)
}

func (s *SLO) validate(v *validator, path string) {
	key := func(k string) string { return join(path, k) }
	v.name(key("name"), s.Name)
	if !(s.Objective > 0 && s.Objective < 100) {
		if !v.has(key("objective")) {
			v.errorf(key("objective"), "required: the percentage of good events, like 99.5")
		} else {
			v.errorf(key("objective"), "must be strictly between 0 and 100 (a percentage, like 99.5), got %g", s.Objective)
		}
	}
	v.oneOf(key("period"), string(s.Period), string(Period30d), string(Period28d), string(Period7d))
	if s.MinEvents < 0 {
		v.errorf(key("min_events"), "must be >= 0 (0 or 1: no minimum), got %d", s.MinEvents)
	}
	switch {
	case s.OnPage != OnPageAlert && s.OnPage != OnPageDemote:
		v.errorf(key("on_page"), "must be demote, or absent to alert only, got %q", s.OnPage)
	case s.OnPage == OnPageDemote && s.Backend == "":
		v.errorf(key("on_page"), "demote needs the SLO scoped to a backend (set backend)")
	}
	kinds := make([]string, 0, 6)
	for _, k := range SLOKinds() {
		kinds = append(kinds, string(k))
	}
	if !v.oneOf(key("kind"), string(s.Kind), kinds...) {
		return
	}
	if s.Kind != SLOResource && s.Resource != "" {
		v.errorf(key("resource"), "applies only to kind resource, not %s", s.Kind)
	}
	t := s.Threshold
	switch s.Kind {
	case SLOAvailability:
		if t.Set {
			v.errorf(key("threshold"), "not used by kind availability")
		}
	case SLOLatency, SLOTTFT, SLOInterTokenLatency:
		switch {
		case !t.Set:
			v.errorf(key("threshold"), "required for kind %s: a duration like 800ms", s.Kind)
		case !t.IsDuration && t.Value != 0:
			v.errorf(key("threshold"), "kind %s needs a duration with a unit, like %gms, got %g", s.Kind, t.Value, t.Value)
		case t.Duration <= 0:
			v.errorf(key("threshold"), "must be > 0, got %s", t)
		}
	case SLOThroughput:
		switch {
		case !t.Set:
			v.errorf(key("threshold"), "required for kind throughput: the fewest tokens per second, like 20")
		case t.IsDuration:
			v.errorf(key("threshold"), "kind throughput needs a number of tokens per second, like 20, got %s", t)
		case t.Value <= 0:
			v.errorf(key("threshold"), "must be > 0 tokens per second, got %g", t.Value)
		}
	case SLOResource:
		s.validateResource(v, path)
	}
}

// validateResource checks what a resource SLO needs: a known gauge, a
// numeric ceiling in its range, and selectors the gauge has.
func (s *SLO) validateResource(v *validator, path string) {
	key := func(k string) string { return join(path, k) }
	if !v.oneOf(key("resource"), string(s.Resource), string(ResourceGPUUtilization), string(ResourceGPUMemory),
		string(ResourceKVCache), string(ResourceQueue)) {
		return
	}
	for _, sel := range []struct{ key, val string }{{"route", s.Route}, {"model", s.Model}} {
		if sel.val != "" {
			v.errorf(key(sel.key), "not used by kind resource (samples are per GPU or per backend)")
		}
	}
	gpu := s.Resource == ResourceGPUUtilization || s.Resource == ResourceGPUMemory
	switch {
	case gpu && s.Backend != "":
		v.errorf(key("backend"), "not used by resource %s (GPUs are sampled per GPU)", s.Resource)
	case !gpu && s.Backend == "":
		v.errorf(key("backend"), "required for resource %s: the backend whose metrics are sampled", s.Resource)
	}
	t := s.Threshold
	switch {
	case !t.Set:
		v.errorf(key("threshold"), "required for kind resource: the ceiling each sample must stay within")
	case t.IsDuration:
		v.errorf(key("threshold"), "kind resource needs a number, got %s", t)
	case s.Resource == ResourceQueue && t.Value < 0:
		v.errorf(key("threshold"), "must be >= 0 requests, got %g", t.Value)
	case s.Resource != ResourceQueue && !(t.Value > 0 && t.Value <= 1):
		v.errorf(key("threshold"), "must be a ratio in (0,1] for %s, got %g", s.Resource, t.Value)
	}
}

// validateSLOs checks what SLOs share with other sections: unique names,
// and selectors naming routes, backends and models that exist and can
// meet.
func (c *Config) validateSLOs(v *validator) {
	names := make([]string, len(c.SLOs))
	for i, s := range c.SLOs {
		names[i] = s.Name
	}
	v.unique("slos", names)
	if v.r.suppressed("routes") || v.r.suppressed("backends") {
		return // a list failed to decode: every selector would look undefined
	}
	routes := make([]string, 0, len(c.Routes))
	for _, r := range c.Routes {
		routes = append(routes, r.Name)
	}
	backends := make([]string, 0, len(c.Backends))
	for _, b := range c.Backends {
		backends = append(backends, b.Name)
	}
	for i, s := range c.SLOs {
		path := index("slos", i)
		route, routeOK := c.Route(s.Route)
		if s.Route != "" && !routeOK {
			v.errorf(join(path, "route"), "route %q is not defined (defined: %s)", s.Route, quoted(routes))
		}
		_, backendOK := c.Backend(s.Backend)
		if s.Backend != "" && !backendOK {
			v.errorf(join(path, "backend"), "backend %q is not defined (defined: %s)", s.Backend, quoted(backends))
		}
		if s.Kind == SLOResource || (s.Route != "" && !routeOK) || (s.Backend != "" && !backendOK) {
			continue
		}
		if !c.sloCanMatch(s, route) {
			at, what := "backend", fmt.Sprintf("backend %q", s.Backend)
			if s.Model != "" {
				at, what = "model", fmt.Sprintf("model %q", s.Model)
				if s.Backend != "" {
					what += fmt.Sprintf(" on backend %q", s.Backend)
				}
			}
			where := "no route has a target"
			if s.Route != "" {
				where = fmt.Sprintf("route %q has no target", s.Route)
			}
			v.errorf(join(path, at), "selects nothing: %s with %s", where, what)
		}
	}
}

// sloCanMatch reports whether some target (of route, when the SLO names
// one) has the SLO's backend and model.
func (c *Config) sloCanMatch(s SLO, route Route) bool {
	if s.Backend == "" && s.Model == "" {
		return true
	}
	routes := c.Routes
	if s.Route != "" {
		routes = []Route{route}
	}
	for _, r := range routes {
		for _, t := range r.Targets {
			if (s.Backend == "" || t.Backend == s.Backend) && (s.Model == "" || t.Model == s.Model) {
				return true
			}
		}
	}
	return false
}
