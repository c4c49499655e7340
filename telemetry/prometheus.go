package telemetry

import (
	"sync"

	"github.com/prometheus/client_golang/prometheus"
)

// Buckets suited to LLM inference: answers take from tens of milliseconds
// (a cached short completion) to minutes (a long generation on a CPU).
var (
	// LatencyBuckets are the request-duration histogram buckets, in seconds.
	LatencyBuckets = []float64{0.025, 0.05, 0.1, 0.25, 0.5, 1, 2, 5, 10, 20, 30, 60, 120, 300}
	// TTFTBuckets are the time-to-first-token histogram buckets, in seconds.
	TTFTBuckets = []float64{0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2, 5, 10, 30}
	// TokensPerSecondBuckets are the decode-speed histogram buckets.
	TokensPerSecondBuckets = []float64{1, 2, 5, 10, 20, 30, 50, 75, 100, 150, 200, 400, 1000}
)

// Prometheus is a sink that turns events into metrics under flywheel_gateway_.
// Labels are bounded: route, backend and model come from the configuration,
// never from users.
type Prometheus struct {
	requests  *prometheus.CounterVec
	attempts  *prometheus.CounterVec
	fallbacks *prometheus.CounterVec
	degraded  *prometheus.CounterVec
	latency   *prometheus.HistogramVec
	ttft      *prometheus.HistogramVec
	tokens    *prometheus.CounterVec
	tps       *prometheus.HistogramVec

	mu     sync.RWMutex
	series map[seriesKey]*series
}

type seriesKey struct{ route, backend, model string }

// series caches the label-resolved metrics of one route and target, so that
// recording an event does no label hashing.
type series struct {
	attempts, tokensIn, tokensOut prometheus.Counter
	latency, ttft, tps            prometheus.Observer
}

// NewPrometheus returns the sink; register it with a prometheus.Registerer.
func NewPrometheus() *Prometheus {
	labels := []string{"route", "backend", "model"}
	return &Prometheus{
		requests: prometheus.NewCounterVec(prometheus.CounterOpts{Name: "flywheel_gateway_requests_total",
			Help: "Inference requests by route, target and outcome (ok, degraded, client_error, backend_error, cancelled)."},
			[]string{"route", "backend", "model", "outcome"}),
		attempts: prometheus.NewCounterVec(prometheus.CounterOpts{Name: "flywheel_gateway_attempts_total",
			Help: "Upstream attempts, all targets of a request counted against the target that answered or failed last."}, labels),
		fallbacks: prometheus.NewCounterVec(prometheus.CounterOpts{Name: "flywheel_gateway_fallbacks_total",
			Help: "Requests answered by a target after the first of their route's chain."}, []string{"route"}),
		degraded: prometheus.NewCounterVec(prometheus.CounterOpts{Name: "flywheel_gateway_degraded_total",
			Help: "Requests answered with the route's degraded answer."}, []string{"route"}),
		latency: prometheus.NewHistogramVec(prometheus.HistogramOpts{Name: "flywheel_gateway_request_duration_seconds",
			Help: "Request latency at the gateway, to the last byte.", Buckets: LatencyBuckets}, labels),
		ttft: prometheus.NewHistogramVec(prometheus.HistogramOpts{Name: "flywheel_gateway_time_to_first_token_seconds",
			Help: "Time from the request to the first streamed chunk (the whole answer when not streaming).", Buckets: TTFTBuckets}, labels),
		tokens: prometheus.NewCounterVec(prometheus.CounterOpts{Name: "flywheel_gateway_tokens_total",
			Help: "Tokens by direction (in: prompt, out: completion), from the backends' usage reports."},
			[]string{"route", "backend", "model", "direction"}),
		tps: prometheus.NewHistogramVec(prometheus.HistogramOpts{Name: "flywheel_gateway_tokens_per_second",
			Help: "Decode speed of answers: completion tokens per second after the first token.", Buckets: TokensPerSecondBuckets}, labels),
		series: map[seriesKey]*series{},
	}
}

func (p *Prometheus) seriesFor(route, backend, model string) *series {
	k := seriesKey{route, backend, model}
	p.mu.RLock()
	s := p.series[k]
	p.mu.RUnlock()
	if s != nil {
		return s
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	if s = p.series[k]; s == nil {
		s = &series{
			attempts:  p.attempts.WithLabelValues(route, backend, model),
			tokensIn:  p.tokens.WithLabelValues(route, backend, model, "in"),
			tokensOut: p.tokens.WithLabelValues(route, backend, model, "out"),
			latency:   p.latency.WithLabelValues(route, backend, model),
			ttft:      p.ttft.WithLabelValues(route, backend, model),
			tps:       p.tps.WithLabelValues(route, backend, model),
		}
		p.series[k] = s
	}
	return s
}

// Record updates the metrics from e.
func (p *Prometheus) Record(e *Event) {
	if e.Route == "" {
		return // refused before a route was known: counted by the HTTP layer
	}
	p.requests.WithLabelValues(e.Route, e.Backend, e.Model, string(e.Status)).Inc()
	if e.Status == StatusDegraded {
		p.degraded.WithLabelValues(e.Route).Inc()
	}
	if e.FallbackDepth > 0 && e.Status == StatusOK {
		p.fallbacks.WithLabelValues(e.Route).Inc()
	}
	s := p.seriesFor(e.Route, e.Backend, e.Model)
	s.attempts.Add(float64(e.Attempts))
	if e.Status != StatusOK {
		return
	}
	s.latency.Observe(e.Latency().Seconds())
	if e.TimeToFirstToken > 0 {
		s.ttft.Observe(e.TimeToFirstToken.Seconds())
	}
	if e.TokensIn > 0 {
		s.tokensIn.Add(float64(e.TokensIn))
	}
	if e.TokensOut > 0 {
		s.tokensOut.Add(float64(e.TokensOut))
		if tps := e.TokensPerSecond(); tps > 0 {
			s.tps.Observe(tps)
		}
	}
}

// Describe implements prometheus.Collector.
func (p *Prometheus) Describe(ch chan<- *prometheus.Desc) {
	for _, c := range p.collectors() {
		c.Describe(ch)
	}
}

// Collect implements prometheus.Collector.
func (p *Prometheus) Collect(ch chan<- prometheus.Metric) {
	for _, c := range p.collectors() {
		c.Collect(ch)
	}
}

func (p *Prometheus) collectors() []prometheus.Collector {
	return []prometheus.Collector{p.requests, p.attempts, p.fallbacks, p.degraded, p.latency, p.ttft, p.tokens, p.tps}
}
