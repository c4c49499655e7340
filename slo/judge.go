package slo

import (
	"math"
	"math/bits"
	"time"

	"github.com/flywheel-stack/flywheel/config"
	"github.com/flywheel-stack/flywheel/telemetry"
)

// Tally counts the judgements of one event against one SLO. An SLO scoped
// to a backend judges each target of that backend the request tried, so
// one event can count more than once (a route with two targets on the
// backend), good and bad alike.
type Tally struct {
	Good, Bad uint32
}

// add counts r.
func (t *Tally) add(r Result) {
	switch r {
	case Good:
		t.Good++
	case Bad:
		t.Bad++
	}
}

// Matches reports whether the SLO selects the event: its route selector
// (empty selects all) equals the event's route, and its backend and model
// selectors equal those of a target the request tried (with neither
// backend nor a record of the targets tried, those of the target that
// answered, or failed last). Resource SLOs select no event.
func (o *Objective) Matches(e *telemetry.Event) bool {
	if o.kind == kindResource || (o.route != "" && o.route != e.Route) {
		return false
	}
	if o.backend == "" || e.NTried == 0 {
		return (o.backend == "" || o.backend == e.Backend) && (o.model == "" || o.model == e.Model)
	}
	for i := range e.NTried {
		if t := &e.Tried[i]; t.Backend == o.backend && (o.model == "" || o.model == t.Model) {
			return true
		}
	}
	return false
}

// Judge judges one finished inference at the SLO's exact threshold:
//
//   - availability: an answer (ok) is good; a degraded answer or a backend
//     error is bad, except a backend's 400, 413 or 422, which blame the
//     request; client errors (the gateway refused the request) and
//     cancellations are not counted;
//   - latency: an answer is good when End-Start <= threshold;
//   - ttft: an answer is good when its time to first token (the whole
//     answer when not streamed) <= threshold;
//   - inter_token_latency: a streamed answer of two tokens or more is good
//     when (latency - ttft) / (tokens out - 1) <= threshold;
//   - throughput: an answer with output tokens is good when its decode
//     speed (telemetry.Event.TokensPerSecond) >= threshold.
//
// The indicators of speed judge answers only: a failed request is the
// availability SLO's to count.
//
// An SLO with a backend selector judges each target of that backend (and
// model, if selected) the request tried (telemetry.Event.Tried): a target
// that failed is bad for availability and not counted by the other kinds;
// one that was rejected (breaker open, backend busy) or cancelled is not
// counted; the target that answered is judged on the event as above. So in
// a route [a, b] where a fails and b answers, a's availability SLO counts
// one bad event and b's one good event. An event without a record of its
// targets is judged once, on the target that answered or failed last.
// Judge does not allocate.
func (o *Objective) Judge(e *telemetry.Event) (t Tally) {
	if o.kind == kindResource || (o.route != "" && o.route != e.Route) {
		return t
	}
	if o.backend == "" || e.NTried == 0 {
		if (o.backend == "" || o.backend == e.Backend) && (o.model == "" || o.model == e.Model) {
			t.add(o.judgeAnswer(e))
		}
		return t
	}
	for i := range e.NTried {
		tried := &e.Tried[i]
		if tried.Backend != o.backend || (o.model != "" && o.model != tried.Model) {
			continue
		}
		switch tried.Outcome {
		case telemetry.OutcomeAnswered:
			t.add(o.judgeAnswer(e))
		case telemetry.OutcomeFailed:
			if o.kind == kindAvailability {
				t.Bad++
			}
		}
	}
	return t
}

// judgeAnswer judges how the request ended, without selecting.
func (o *Objective) judgeAnswer(e *telemetry.Event) Result {
	if o.kind == kindAvailability {
		return availability(e)
	}
	return o.judgeSpeed(e)
}

// judgeSpeed judges an answer for the indicators of speed.
func (o *Objective) judgeSpeed(e *telemetry.Event) Result {
	if e.Status != telemetry.StatusOK {
		return NotCounted
	}
	switch o.kind {
	case kindLatency:
		return goodIf(e.End.Sub(e.Start) <= o.threshold)
	case kindTTFT:
		if e.TimeToFirstToken <= 0 {
			return NotCounted
		}
		return goodIf(e.TimeToFirstToken <= o.threshold)
	case kindInterTokenLatency:
		return interToken(e, o.threshold)
	case kindThroughput:
		tps := e.TokensPerSecond()
		if tps <= 0 {
			return NotCounted
		}
		return goodIf(tps >= o.value)
	}
	return NotCounted
}

// availability judges an event for an availability SLO.
func availability(e *telemetry.Event) Result {
	switch e.Status {
	case telemetry.StatusOK:
		return Good
	case telemetry.StatusDegraded:
		return Bad
	case telemetry.StatusBackendError:
		switch e.HTTPStatus {
		case 400, 413, 422: // the backend says the request is malformed or too large
			return NotCounted
		}
		return Bad
	}
	return NotCounted // client_error, cancelled
}

// interToken judges the mean gap between tokens after the first of a
// streamed answer, without dividing: (latency - ttft) <= threshold *
// (tokens - 1).
func interToken(e *telemetry.Event, threshold time.Duration) Result {
	if !e.Stream || e.TokensOut < 2 || e.TimeToFirstToken <= 0 {
		return NotCounted
	}
	after := e.End.Sub(e.Start) - e.TimeToFirstToken
	if after < 0 {
		return NotCounted
	}
	hi, allowed := bits.Mul64(uint64(threshold), uint64(e.TokensOut-1))
	return goodIf(hi != 0 || uint64(after) <= allowed)
}

func goodIf(ok bool) Result {
	if ok {
		return Good
	}
	return Bad
}

// Sample is one reading of a gauge that resource SLOs keep under a
// ceiling.
type Sample struct {
	// Resource names the gauge.
	Resource config.SLOResourceName
	// Backend is the backend the gauge belongs to (kv_cache, queue); empty
	// for GPU gauges.
	Backend string
	// Value is the reading: a ratio in [0,1], or a count for queue.
	Value float64
	// Time is when it was read.
	Time time.Time
}

// JudgeSample judges a gauge reading: good when it is within the SLO's
// ceiling; not counted by SLOs of another kind, gauge or backend.
func (o *Objective) JudgeSample(s Sample) Result {
	if o.kind != kindResource || s.Resource != o.Config.Resource || s.Backend != o.backend || math.IsNaN(s.Value) {
		return NotCounted
	}
	return goodIf(s.Value <= o.value)
}
