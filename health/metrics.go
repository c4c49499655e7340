package health

import "github.com/prometheus/client_golang/prometheus"

// Collector returns a prometheus.Collector that exports the cached results;
// a scrape never runs a check. Its metrics:
//
//	flywheel_health_check_status{check}            1 pass, 0.5 warn, 0 fail
//	flywheel_health_check_duration_seconds{check}  duration of the last run
//	flywheel_health_probe_status{probe}            livez, readyz, startupz
//	flywheel_health_score                          composite score, 0 to 100
func (c *Checker) Collector() prometheus.Collector {
	return &collector{
		c: c,
		status: prometheus.NewDesc("flywheel_health_check_status",
			"Cached status of a health check: 1 pass, 0.5 warn, 0 fail or not yet checked.", []string{"check"}, nil),
		duration: prometheus.NewDesc("flywheel_health_check_duration_seconds",
			"Duration of the last run of a health check.", []string{"check"}, nil),
		probe: prometheus.NewDesc("flywheel_health_probe_status",
			"Cached status of a probe: 1 pass, 0.5 warn, 0 fail.", []string{"probe"}, nil),
		score: prometheus.NewDesc("flywheel_health_score",
			"Composite health score: the weighted share of passing readiness checks, warn counting half, 0 to 100.", nil, nil),
	}
}

type collector struct {
	c                              *Checker
	status, duration, probe, score *prometheus.Desc
}

// Describe sends the four descriptors.
func (m *collector) Describe(ch chan<- *prometheus.Desc) {
	ch <- m.status
	ch <- m.duration
	ch <- m.probe
	ch <- m.score
}

// Collect sends the cached values.
func (m *collector) Collect(ch chan<- prometheus.Metric) {
	for _, r := range m.c.Results() {
		ch <- prometheus.MustNewConstMetric(m.status, prometheus.GaugeValue, r.Status.Value(), r.Name)
		if r.checked() && r.Name != heartbeatName {
			ch <- prometheus.MustNewConstMetric(m.duration, prometheus.GaugeValue, r.Duration.Seconds(), r.Name)
		}
	}
	for _, k := range probeKinds {
		ch <- prometheus.MustNewConstMetric(m.probe, prometheus.GaugeValue, m.c.Status(k).Value(), k.ProbeName())
	}
	ch <- prometheus.MustNewConstMetric(m.score, prometheus.GaugeValue, m.c.Score())
}
