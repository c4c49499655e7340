package gateway

import (
	"net/http"
	"reflect"
	"testing"

	"github.com/flywheel-stack/flywheel/telemetry"
)

// TestEventRecordsEachTargetTried: the telemetry event holds the outcome
// of every target the request tried, in order, so that an SLO scoped to a
// backend can judge a target that failed before the next one answered.
func TestEventRecordsEachTargetTried(t *testing.T) {
	t.Parallel()
	type tried = telemetry.TargetOutcome
	const localModel, remoteModel = "qwen2.5-coder-7b", "gpt-4o-mini"
	answered := func(b, m string) tried { return tried{Backend: b, Model: m, Outcome: telemetry.OutcomeAnswered} }
	failed := func(b, m string) tried { return tried{Backend: b, Model: m, Outcome: telemetry.OutcomeFailed} }
	rejected := func(b, m string) tried { return tried{Backend: b, Model: m, Outcome: telemetry.OutcomeRejected} }
	tests := []struct {
		name          string
		local, remote func(http.ResponseWriter, *http.Request, []byte)
		openLocal     bool
		stream        bool
		status        telemetry.Status
		want          []tried
	}{
		{"local answers", okAnswer("hi"), okAnswer("remote"), false, false, telemetry.StatusOK,
			[]tried{answered("local", localModel)}},
		{"local fails, remote covers", statusAnswer(500, ""), okAnswer("remote"), false, false, telemetry.StatusOK,
			[]tried{failed("local", localModel), answered("remote", remoteModel)}},
		{"local's breaker open, remote covers", okAnswer("hi"), okAnswer("remote"), true, false, telemetry.StatusOK,
			[]tried{rejected("local", localModel), answered("remote", remoteModel)}},
		{"both fail", statusAnswer(502, ""), statusAnswer(503, ""), false, false, telemetry.StatusDegraded,
			[]tried{failed("local", localModel), failed("remote", remoteModel)}},
		{"local's stream cut after its first chunk", streamAnswer(3, 1), okAnswer("remote"), false, true, telemetry.StatusBackendError,
			[]tried{answered("local", localModel)}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			local, remote := newFakeBackend(t), newFakeBackend(t)
			local.answer(tc.local)
			remote.answer(tc.remote)
			h := newHarness(t, twoTargets, map[string]string{"REMOTE_KEY": "k"}, local, remote)
			if tc.openLocal {
				h.gw.Breakers().Get("local/" + localModel).ForceOpen("test")
			}
			body := `{"model":"coder","messages":[{"role":"user","content":"hi"}]}`
			if tc.stream {
				body = `{"model":"coder","stream":true,"messages":[{"role":"user","content":"hi"}]}`
			}
			h.post(t, "/v1/chat/completions", body)
			ev := h.lastEvent(t, 1)
			if ev.Status != tc.status || !reflect.DeepEqual(ev.Targets(), tc.want) || ev.TriedDropped != 0 {
				t.Fatalf("status %s, targets %+v (dropped %d); want %s, %+v", ev.Status, ev.Targets(), ev.TriedDropped, tc.status, tc.want)
			}
			last := ev.Targets()[len(ev.Targets())-1]
			if last.Backend != ev.Backend || last.Model != ev.Model {
				t.Errorf("last target %+v, event's %s/%s", last, ev.Backend, ev.Model)
			}
		})
	}
}
