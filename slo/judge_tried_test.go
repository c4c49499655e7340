package slo

import (
	"strings"
	"testing"
	"time"

	"github.com/flywheel-stack/flywheel/config"
	"github.com/flywheel-stack/flywheel/telemetry"
	"github.com/prometheus/client_golang/prometheus/testutil"
)

// triedEvent is an event on route coder that tried targets, each given as
// "backend/model:outcome"; the last one is the event's Backend and Model.
func triedEvent(status telemetry.Status, code int, targets ...string) telemetry.Event {
	e := answer(time.Second, 200*time.Millisecond, 20)
	e.Status, e.HTTPStatus = status, code
	outcomes := map[string]telemetry.Outcome{"answered": telemetry.OutcomeAnswered, "failed": telemetry.OutcomeFailed,
		"rejected": telemetry.OutcomeRejected, "cancelled": telemetry.OutcomeCancelled}
	for _, s := range targets {
		target, outcome, _ := strings.Cut(s, ":")
		backend, model, _ := strings.Cut(target, "/")
		e.AddTried(backend, model, outcomes[outcome])
		e.Backend, e.Model = backend, model
	}
	return e
}

// TestJudgeTried checks that an SLO scoped to a backend judges each target
// of that backend the request tried, and that route SLOs judge the request.
func TestJudgeTried(t *testing.T) {
	t.Parallel()
	availA := config.SLO{Name: "avail-a", Backend: "a", Kind: config.SLOAvailability, Objective: 99}
	availB := config.SLO{Name: "avail-b", Backend: "b", Kind: config.SLOAvailability, Objective: 99}
	availRoute := config.SLO{Name: "avail-coder", Route: "coder", Kind: config.SLOAvailability, Objective: 99}
	availAOnChat := config.SLO{Name: "avail-a-chat", Route: "chat", Backend: "a", Kind: config.SLOAvailability, Objective: 99}
	availAM2 := config.SLO{Name: "avail-a-m2", Backend: "a", Model: "m2", Kind: config.SLOAvailability, Objective: 99}
	latA := config.SLO{Name: "lat-a", Backend: "a", Kind: config.SLOLatency, Objective: 99, Threshold: dur(2 * time.Second)}
	latB := config.SLO{Name: "lat-b", Backend: "b", Kind: config.SLOLatency, Objective: 99, Threshold: dur(2 * time.Second)}
	ttftA := config.SLO{Name: "ttft-a", Backend: "a", Kind: config.SLOTTFT, Objective: 99, Threshold: dur(100 * time.Millisecond)}

	ok, degraded := telemetry.StatusOK, telemetry.StatusDegraded
	covered := triedEvent(ok, 200, "a/m1:failed", "b/mb:answered")
	tests := []struct {
		name string
		slo  config.SLO
		ev   telemetry.Event
		want Tally
	}{
		{"a failed, b covered: bad for a", availA, covered, Tally{Bad: 1}},
		{"a failed, b covered: good for b", availB, covered, Tally{Good: 1}},
		{"a failed, b covered: good for the route", availRoute, covered, Tally{Good: 1}},
		{"a failed, b covered: not a's latency", latA, covered, Tally{}},
		{"a failed, b covered: b's latency", latB, covered, Tally{Good: 1}},
		{"a failed, b covered: another route's SLO on a", availAOnChat, covered, Tally{}},
		{"a rejected, b covered: not counted for a", availA, triedEvent(ok, 200, "a/m1:rejected", "b/mb:answered"), Tally{}},
		{"a answered", availA, triedEvent(ok, 200, "a/m1:answered"), Tally{Good: 1}},
		{"a answered slowly: a's ttft", ttftA, triedEvent(ok, 200, "a/m1:answered"), Tally{Bad: 1}},
		{"a's stream cut after its first chunk", availA, triedEvent(telemetry.StatusBackendError, 200, "a/m1:answered"), Tally{Bad: 1}},
		{"a answered 400: blames the request", availA, triedEvent(telemetry.StatusBackendError, 400, "a/m1:answered"), Tally{}},
		{"cancelled while a was tried", availA, triedEvent(telemetry.StatusCancelled, 0, "a/m1:cancelled"), Tally{}},
		{"b rejected, a failed last: degraded", availA, triedEvent(degraded, 503, "b/mb:rejected", "a/m1:failed"), Tally{Bad: 1}},
		{"both failed: bad for b", availB, triedEvent(degraded, 503, "a/m1:failed", "b/mb:failed"), Tally{Bad: 1}},
		{"both failed: bad for the route", availRoute, triedEvent(degraded, 503, "a/m1:failed", "b/mb:failed"), Tally{Bad: 1}},
		{"all rejected: not counted for a", availA, triedEvent(degraded, 503, "a/m1:rejected", "b/mb:rejected"), Tally{}},
		{"all rejected: bad for the route", availRoute, triedEvent(degraded, 503, "a/m1:rejected", "b/mb:rejected"), Tally{Bad: 1}},
		{"two targets on a", availA, triedEvent(ok, 200, "a/m1:failed", "a/m2:answered"), Tally{Good: 1, Bad: 1}},
		{"two targets on a: model m2 answered", availAM2, triedEvent(ok, 200, "a/m1:failed", "a/m2:answered"), Tally{Good: 1}},
		{"two targets on a: model m2 failed", availAM2, triedEvent(ok, 200, "a/m2:failed", "b/mb:answered"), Tally{Bad: 1}},
		{"no record of the targets: the last one", availA, with(triedEvent(degraded, 503), func(e *telemetry.Event) { e.Backend = "a" }), Tally{Bad: 1}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			o := mustCompile(t, tt.slo).At(0)
			if got := o.Judge(&tt.ev); got != tt.want {
				t.Errorf("Judge = %+v, want %+v (targets %+v)", got, tt.want, tt.ev.Targets())
			}
			if tt.want != (Tally{}) && !o.Matches(&tt.ev) {
				t.Error("Matches = false for an event it counts")
			}
		})
	}
}

// TestRecordTried checks that the recorder counts each judgement of an
// event: one bad for a, one good for the route, in the minute and the
// counter.
func TestRecordTried(t *testing.T) {
	t.Parallel()
	set := mustCompile(t,
		config.SLO{Name: "avail-a", Backend: "a", Kind: config.SLOAvailability, Objective: 99},
		config.SLO{Name: "avail-coder", Route: "coder", Kind: config.SLOAvailability, Objective: 99})
	r := NewRecorder(set)
	ev := triedEvent(telemetry.StatusOK, 200, "a/m1:failed", "a/m2:failed", "b/mb:answered")
	r.Record(&ev)
	got := map[string][2]uint64{}
	for _, c := range r.Minutes().Drain() {
		if !c.Minute.Equal(minuteTime(minuteOf(ev.End))) {
			t.Errorf("%s counted in minute %s, want the event's", c.SLO, c.Minute)
		}
		g := got[c.SLO]
		got[c.SLO] = [2]uint64{g[0] + c.Good, g[1] + c.Bad}
	}
	if want := map[string][2]uint64{"avail-a": {0, 2}, "avail-coder": {1, 0}}; got["avail-a"] != want["avail-a"] || got["avail-coder"] != want["avail-coder"] {
		t.Errorf("minutes %v, want %v", got, want)
	}
	if n := testutil.ToFloat64(r.events.WithLabelValues("avail-a", "bad")); n != 2 {
		t.Errorf("flywheel_slo_events_total{slo=avail-a,result=bad} = %g, want 2", n)
	}
}
