// Package healthprom exports the cached results of a health.Checker as
// Prometheus metrics. It lives apart from package health so that importing
// health does not pull in the Prometheus client.
package healthprom

import (
	"math"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/flywheel-stack/flywheel/health"
)

// Collector exports a checker's cached results; a scrape never runs a
// check. Its metrics:
//
//	flywheel_health_check_status{check}            1 pass, 0.5 warn, 0 fail
//	flywheel_health_check_duration_seconds{check}  duration of the last run
//	flywheel_health_probe_status{probe}            livez, readyz, startupz
//	flywheel_health_score                          composite score, 0 to 100
//	flywheel_host_cpu_percent                      host CPU busy, 0 to 100
//	flywheel_host_memory_percent                   host memory in use
//	flywheel_host_disk_percent                     disk in use at the sampled path
//
// The host gauges are the performance probe's last sample; they are absent
// without the probe, before its first run, and for a value it could not
// read.
type Collector struct {
	c                              *health.Checker
	status, duration, probe, score *prometheus.Desc
	cpu, memory, disk              *prometheus.Desc
}

// NewCollector returns the collector of c.
func NewCollector(c *health.Checker) *Collector {
	return &Collector{
		c: c,
		status: prometheus.NewDesc("flywheel_health_check_status",
			"Cached status of a health check: 1 pass, 0.5 warn, 0 fail or not yet checked.", []string{"check"}, nil),
		duration: prometheus.NewDesc("flywheel_health_check_duration_seconds",
			"Duration of the last run of a health check.", []string{"check"}, nil),
		probe: prometheus.NewDesc("flywheel_health_probe_status",
			"Cached status of a probe: 1 pass, 0.5 warn, 0 fail.", []string{"probe"}, nil),
		score: prometheus.NewDesc("flywheel_health_score",
			"Composite health score: the weighted share of passing readiness checks, warn counting half, 0 to 100.", nil, nil),
		cpu: prometheus.NewDesc("flywheel_host_cpu_percent",
			"Host CPU busy between the last two samples of the health performance probe, 0 to 100.", nil, nil),
		memory: prometheus.NewDesc("flywheel_host_memory_percent",
			"Host memory in use at the last sample of the health performance probe, 0 to 100.", nil, nil),
		disk: prometheus.NewDesc("flywheel_host_disk_percent",
			"Disk space in use on the file system the health performance probe samples, 0 to 100.", nil, nil),
	}
}

// Describe sends the descriptors.
func (m *Collector) Describe(ch chan<- *prometheus.Desc) {
	for _, d := range []*prometheus.Desc{m.status, m.duration, m.probe, m.score, m.cpu, m.memory, m.disk} {
		ch <- d
	}
}

// Collect sends the cached values.
func (m *Collector) Collect(ch chan<- prometheus.Metric) {
	for _, r := range m.c.Results() {
		ch <- prometheus.MustNewConstMetric(m.status, prometheus.GaugeValue, r.Status.Value(), r.Name)
		if r.Runs > 0 && r.Name != health.HeartbeatName {
			ch <- prometheus.MustNewConstMetric(m.duration, prometheus.GaugeValue, r.Duration.Seconds(), r.Name)
		}
	}
	for _, k := range []health.Kind{health.Liveness, health.Readiness, health.Startup} {
		ch <- prometheus.MustNewConstMetric(m.probe, prometheus.GaugeValue, m.c.Status(k).Value(), k.ProbeName())
	}
	ch <- prometheus.MustNewConstMetric(m.score, prometheus.GaugeValue, m.c.Score())
	if s, ok := m.c.PerfSample(); ok {
		for _, g := range []struct {
			d *prometheus.Desc
			v float64
		}{{m.cpu, s.CPUPercent}, {m.memory, s.MemoryPercent}, {m.disk, s.DiskPercent}} {
			if !math.IsNaN(g.v) {
				ch <- prometheus.MustNewConstMetric(g.d, prometheus.GaugeValue, g.v)
			}
		}
	}
}
