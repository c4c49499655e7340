// Package resourceprom exports the latest snapshot of a resource.Sampler
// as Prometheus gauges. It lives apart from package resource, as
// health/healthprom does from health, so that the sampler holds no metric
// code.
package resourceprom

import (
	"math"
	"strconv"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/flywheel-stack/flywheel/resource"
)

// Snapshotter gives the latest snapshot: *resource.Sampler.
type Snapshotter interface {
	Snapshot() resource.Snapshot
}

// Collector exports the latest round; a scrape never runs a tool or reads
// a backend. Its metrics:
//
//	flywheel_gpu_utilization_ratio{gpu,vendor,name}      busy share, 0 to 1
//	flywheel_gpu_memory_used_bytes{gpu,vendor,name}      memory in use
//	flywheel_gpu_memory_total_bytes{gpu,vendor,name}     memory in all
//	flywheel_backend_requests_running{backend}           requests being processed
//	flywheel_backend_requests_waiting{backend}           requests queued
//	flywheel_backend_kv_cache_usage_ratio{backend}       KV cache in use, 0 to 1
//	flywheel_resource_source_up{source}                  1 read, 0 failing
//
// A value the source did not give is absent, not 0; so is every value of
// a source that failed in the latest round, and the up gauge of a source
// that is off.
type Collector struct {
	s                         Snapshotter
	util, used, total         *prometheus.Desc
	running, waiting, kvCache *prometheus.Desc
	up                        *prometheus.Desc
}

// NewCollector returns the collector of s.
func NewCollector(s Snapshotter) *Collector {
	gpu := []string{"gpu", "vendor", "name"}
	backend := []string{"backend"}
	return &Collector{
		s: s,
		util: prometheus.NewDesc("flywheel_gpu_utilization_ratio",
			"Share of time the GPU was busy over the tool's last sample period, 0 to 1 (nvidia-smi, rocm-smi).", gpu, nil),
		used: prometheus.NewDesc("flywheel_gpu_memory_used_bytes",
			"GPU memory in use.", gpu, nil),
		total: prometheus.NewDesc("flywheel_gpu_memory_total_bytes",
			"GPU memory in all.", gpu, nil),
		running: prometheus.NewDesc("flywheel_backend_requests_running",
			"Requests the backend is processing, from its own /metrics.", backend, nil),
		waiting: prometheus.NewDesc("flywheel_backend_requests_waiting",
			"Requests queued in the backend, waiting for a slot, from its own /metrics.", backend, nil),
		kvCache: prometheus.NewDesc("flywheel_backend_kv_cache_usage_ratio",
			"Share of the backend's KV cache in use, 0 to 1, from its own /metrics.", backend, nil),
		up: prometheus.NewDesc("flywheel_resource_source_up",
			"Whether a resource source (nvidia-smi, rocm-smi, backend NAME) was read in the latest round: 1 read, 0 failing; absent when off.", []string{"source"}, nil),
	}
}

// Describe sends the descriptors.
func (c *Collector) Describe(ch chan<- *prometheus.Desc) {
	for _, d := range []*prometheus.Desc{c.util, c.used, c.total, c.running, c.waiting, c.kvCache, c.up} {
		ch <- d
	}
}

// Collect sends the latest snapshot's values.
func (c *Collector) Collect(ch chan<- prometheus.Metric) {
	snap := c.s.Snapshot()
	gauge := func(d *prometheus.Desc, v float64, labels ...string) {
		if !math.IsNaN(v) {
			ch <- prometheus.MustNewConstMetric(d, prometheus.GaugeValue, v, labels...)
		}
	}
	for _, g := range snap.GPUs {
		labels := []string{strconv.Itoa(g.Index), string(g.Vendor), g.Name}
		gauge(c.util, g.Utilization, labels...)
		if g.MemoryTotal > 0 {
			gauge(c.used, float64(g.MemoryUsed), labels...)
			gauge(c.total, float64(g.MemoryTotal), labels...)
		}
	}
	for _, b := range snap.Backends {
		gauge(c.running, b.Running, b.Backend)
		gauge(c.waiting, b.Waiting, b.Backend)
		gauge(c.kvCache, b.KVCache, b.Backend)
	}
	for _, s := range snap.Sources {
		switch s.State {
		case resource.SourceOK:
			gauge(c.up, 1, s.Name)
		case resource.SourceFailing:
			gauge(c.up, 0, s.Name)
		}
	}
}
