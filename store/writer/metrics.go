package writer

import "github.com/prometheus/client_golang/prometheus"

// metrics are the writer's Prometheus metrics, under flywheel_telemetry_.
type metrics struct {
	dropped  *prometheus.CounterVec
	written  prometheus.Counter
	batches  prometheus.Counter
	pruned   prometheus.Counter
	latency  prometheus.Histogram
	depth    prometheus.GaugeFunc
	capacity prometheus.GaugeFunc
}

func newMetrics(w *Writer) *metrics {
	m := &metrics{
		dropped: prometheus.NewCounterVec(prometheus.CounterOpts{Name: "flywheel_telemetry_dropped_total",
			Help: "Inference events not stored, by reason: queue_full (the writer could not keep up) or write_failed (the store refused or was unreachable)."},
			[]string{"reason"}),
		written: prometheus.NewCounter(prometheus.CounterOpts{Name: "flywheel_telemetry_written_total",
			Help: "Inference events written to the store."}),
		batches: prometheus.NewCounter(prometheus.CounterOpts{Name: "flywheel_telemetry_batches_total",
			Help: "Batches (transactions) written to the store."}),
		pruned: prometheus.NewCounter(prometheus.CounterOpts{Name: "flywheel_telemetry_pruned_total",
			Help: "Inference records deleted by retention."}),
		latency: prometheus.NewHistogram(prometheus.HistogramOpts{Name: "flywheel_telemetry_write_duration_seconds",
			Help:    "Time to write one batch of inference events, in one transaction.",
			Buckets: []float64{0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10}}),
		depth: prometheus.NewGaugeFunc(prometheus.GaugeOpts{Name: "flywheel_telemetry_queue_depth",
			Help: "Inference events waiting to be written."}, func() float64 { return float64(w.Depth()) }),
		capacity: prometheus.NewGaugeFunc(prometheus.GaugeOpts{Name: "flywheel_telemetry_queue_capacity",
			Help: "The most inference events the queue holds before it drops (store.queue_size)."},
			func() float64 { return float64(w.opts.QueueSize) }),
	}
	for _, reason := range []string{"queue_full", "write_failed"} {
		m.dropped.WithLabelValues(reason) // exported at 0 from the start
	}
	return m
}

func (m *metrics) collectors() []prometheus.Collector {
	return []prometheus.Collector{m.dropped, m.written, m.batches, m.pruned, m.latency, m.depth, m.capacity}
}

// Describe implements prometheus.Collector.
func (w *Writer) Describe(ch chan<- *prometheus.Desc) {
	for _, c := range w.metrics.collectors() {
		c.Describe(ch)
	}
}

// Collect implements prometheus.Collector.
func (w *Writer) Collect(ch chan<- prometheus.Metric) {
	for _, c := range w.metrics.collectors() {
		c.Collect(ch)
	}
}
