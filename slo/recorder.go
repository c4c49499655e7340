package slo

import (
	"github.com/flywheel-stack/flywheel/telemetry"
	"github.com/prometheus/client_golang/prometheus"
)

// Recorder is the telemetry sink that judges every inference against
// every SLO, counts the judgements per minute (Minutes) and exports them
// as flywheel_slo_events_total{slo, result="good|bad"}. Register it with a
// prometheus.Registerer to export the counter.
type Recorder struct {
	set     *Set
	minutes *Minutes
	events  *prometheus.CounterVec
	// counters holds each SLO's good and bad counters, resolved once so
	// that recording does no label lookups.
	counters [][2]prometheus.Counter
}

// NewRecorder returns a recorder for set. Both series of every SLO exist
// from the start at 0, so that rate() sees the first event.
func NewRecorder(set *Set) *Recorder {
	r := &Recorder{
		set:     set,
		minutes: NewMinutes(set),
		events: prometheus.NewCounterVec(prometheus.CounterOpts{Name: "flywheel_slo_events_total",
			Help: "Events judged against each SLO, good or bad (events an SLO does not count are not here)."},
			[]string{"slo", "result"}),
		counters: make([][2]prometheus.Counter, set.Len()),
	}
	for i := range r.counters {
		name := set.At(i).Name()
		r.counters[i] = [2]prometheus.Counter{
			r.events.WithLabelValues(name, Good.String()),
			r.events.WithLabelValues(name, Bad.String()),
		}
	}
	return r
}

// Minutes returns the per-minute counts the recorder fills; an Evaluator
// drains them.
func (r *Recorder) Minutes() *Minutes { return r.minutes }

// Record judges e against every SLO (see Objective.Judge), counting the
// judgements in the minute it ended.
// It does not allocate.
func (r *Recorder) Record(e *telemetry.Event) {
	minute := minuteOf(e.End)
	for i := range r.set.objectives {
		t := r.set.objectives[i].Judge(e)
		if t.Good != 0 {
			r.minutes.add(i, minute, Good, uint64(t.Good))
			r.counters[i][0].Add(float64(t.Good))
		}
		if t.Bad != 0 {
			r.minutes.add(i, minute, Bad, uint64(t.Bad))
			r.counters[i][1].Add(float64(t.Bad))
		}
	}
}

// RecordSample judges a gauge reading against every resource SLO.
func (r *Recorder) RecordSample(s Sample) {
	minute := minuteOf(s.Time)
	for i := range r.set.objectives {
		res := r.set.objectives[i].JudgeSample(s)
		if res == NotCounted {
			continue
		}
		r.minutes.add(i, minute, res, 1)
		r.counters[i][res-Good].Inc()
	}
}

// Describe implements prometheus.Collector.
func (r *Recorder) Describe(ch chan<- *prometheus.Desc) { r.events.Describe(ch) }

// Collect implements prometheus.Collector.
func (r *Recorder) Collect(ch chan<- prometheus.Metric) { r.events.Collect(ch) }

var _ telemetry.Sink = (*Recorder)(nil)
