package server

import (
	"github.com/flywheel-stack/flywheel/gateway"
	"github.com/prometheus/client_golang/prometheus"
)

var (
	descInFlight = prometheus.NewDesc("flywheel_gateway_in_flight_requests",
		"OpenAI-compatible requests being served.", nil, nil)
	descBackendInFlight = prometheus.NewDesc("flywheel_backend_in_flight_requests",
		"Requests in flight to each backend.", []string{"backend"}, nil)
	descBackendMax = prometheus.NewDesc("flywheel_backend_max_concurrent",
		"Each backend's max_concurrent bound (0: none).", []string{"backend"}, nil)
)

// gatewayCollector reads the gateway's in-flight counters at scrape time.
type gatewayCollector struct{ gw *gateway.Gateway }

func (c gatewayCollector) Describe(ch chan<- *prometheus.Desc) {
	ch <- descInFlight
	ch <- descBackendInFlight
	ch <- descBackendMax
}

func (c gatewayCollector) Collect(ch chan<- prometheus.Metric) {
	ch <- prometheus.MustNewConstMetric(descInFlight, prometheus.GaugeValue, float64(c.gw.InFlight()))
	for name, b := range c.gw.Backends() {
		ch <- prometheus.MustNewConstMetric(descBackendInFlight, prometheus.GaugeValue, float64(b.InFlight()), name)
		ch <- prometheus.MustNewConstMetric(descBackendMax, prometheus.GaugeValue, float64(b.MaxConcurrent), name)
	}
}
