package writer

import "github.com/prometheus/client_golang/prometheus"

// Reasons an event is dropped: the reason label of
// flywheel_telemetry_dropped_total.
const (
	// reasonQueueFull: the queue held QueueSize events (the store could
	// not keep up).
	reasonQueueFull = "queue_full"
	// reasonWriteFailed: its batch could not be written (the store refused
	// the transaction or was unreachable).
	reasonWriteFailed = "write_failed"
	// reasonRejected: the store refused this event's row alone
	// (store.ErrRejected); the rest of its batch was written.
	reasonRejected = "rejected"
	// reasonClosed: recorded after Close, during shutdown.
	reasonClosed = "closed"
)

// dropReasons are exported at 0 from the start.
var dropReasons = []string{reasonQueueFull, reasonWriteFailed, reasonRejected, reasonClosed}

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
			Help: "Inference events not stored, by reason: queue_full (the writer could not keep up), write_failed (the store failed the batch or was unreachable), rejected (the store refused that event's row alone; the rest of its batch was written) or closed (recorded after the writer closed, at shutdown)."},
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
	for _, reason := range dropReasons {
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
