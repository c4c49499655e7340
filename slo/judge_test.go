package slo

import (
	"testing"
	"time"

	"github.com/flywheel-stack/flywheel/config"
	"github.com/flywheel-stack/flywheel/telemetry"
)

var t0 = time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)

// answer is a streamed answer on route coder, target llama/qwen: 100
// tokens, first after ttft, last at latency.
func answer(latency, ttft time.Duration, tokens int) telemetry.Event {
	return telemetry.Event{Route: "coder", Backend: "llama", Model: "qwen", Stream: true, Status: telemetry.StatusOK,
		HTTPStatus: 200, Start: t0, End: t0.Add(latency), TimeToFirstToken: ttft, TokensOut: tokens}
}

func with(e telemetry.Event, f func(*telemetry.Event)) telemetry.Event { f(&e); return e }

func mustCompile(t testing.TB, slos ...config.SLO) *Set {
	t.Helper()
	s, err := Compile(slos)
	if err != nil {
		t.Fatal(err)
	}
	return s
}

func dur(d time.Duration) config.SLOThreshold {
	return config.SLOThreshold{Duration: d, IsDuration: true, Set: true}
}

// tally is the Tally of one judgement r.
func tally(r Result) Tally {
	var t Tally
	t.add(r)
	return t
}

func num(v float64) config.SLOThreshold { return config.SLOThreshold{Value: v, Set: true} }

// TestJudge checks each kind at its exact threshold, and which events each
// kind does not count.
func TestJudge(t *testing.T) {
	t.Parallel()
	avail := config.SLO{Name: "a", Kind: config.SLOAvailability, Objective: 99}
	lat := config.SLO{Name: "l", Kind: config.SLOLatency, Objective: 99, Threshold: dur(2 * time.Second)}
	ttft := config.SLO{Name: "t", Kind: config.SLOTTFT, Objective: 99, Threshold: dur(800 * time.Millisecond)}
	itl := config.SLO{Name: "i", Kind: config.SLOInterTokenLatency, Objective: 99, Threshold: dur(20 * time.Millisecond)}
	tps := config.SLO{Name: "p", Kind: config.SLOThroughput, Objective: 99, Threshold: num(50)}
	ok := answer(2*time.Second, 800*time.Millisecond, 61) // 60 gaps in 1.2s: 20ms each; 61 tokens / 1.2s = 50.83 tok/s
	status := func(s telemetry.Status, code int) func(*telemetry.Event) {
		return func(e *telemetry.Event) { e.Status, e.HTTPStatus = s, code }
	}
	tests := []struct {
		name string
		slo  config.SLO
		ev   telemetry.Event
		want Result
	}{
		{"availability: answer", avail, ok, Good},
		{"availability: degraded", avail, with(ok, status(telemetry.StatusDegraded, 503)), Bad},
		{"availability: backend 5xx", avail, with(ok, status(telemetry.StatusBackendError, 502)), Bad},
		{"availability: stream cut after 200", avail, with(ok, status(telemetry.StatusBackendError, 200)), Bad},
		{"availability: backend 429", avail, with(ok, status(telemetry.StatusBackendError, 429)), Bad},
		{"availability: backend 401 (our key)", avail, with(ok, status(telemetry.StatusBackendError, 401)), Bad},
		{"availability: backend 400 blames the request", avail, with(ok, status(telemetry.StatusBackendError, 400)), NotCounted},
		{"availability: backend 413", avail, with(ok, status(telemetry.StatusBackendError, 413)), NotCounted},
		{"availability: backend 422", avail, with(ok, status(telemetry.StatusBackendError, 422)), NotCounted},
		{"availability: client error", avail, with(ok, status(telemetry.StatusClientError, 400)), NotCounted},
		{"availability: cancelled", avail, with(ok, status(telemetry.StatusCancelled, 499)), NotCounted},

		{"latency: at threshold", lat, ok, Good},
		{"latency: 1ns over", lat, with(ok, func(e *telemetry.Event) { e.End = e.End.Add(time.Nanosecond) }), Bad},
		{"latency: failed request not counted", lat, with(ok, status(telemetry.StatusDegraded, 503)), NotCounted},
		{"latency: plain answer", lat, with(ok, func(e *telemetry.Event) { e.Stream = false }), Good},

		{"ttft: at threshold", ttft, ok, Good},
		{"ttft: 1ns over", ttft, with(ok, func(e *telemetry.Event) { e.TimeToFirstToken += time.Nanosecond }), Bad},
		{"ttft: plain answer (whole answer is the first token)", ttft,
			with(ok, func(e *telemetry.Event) { e.Stream, e.TimeToFirstToken = false, 2*time.Second }), Bad},
		{"ttft: none came", ttft, with(ok, func(e *telemetry.Event) { e.TimeToFirstToken = 0 }), NotCounted},
		{"ttft: backend error not counted", ttft, with(ok, status(telemetry.StatusBackendError, 200)), NotCounted},

		{"itl: mean gap at threshold", itl, ok, Good},
		{"itl: 1ns over in total", itl, with(ok, func(e *telemetry.Event) { e.End = e.End.Add(time.Nanosecond) }), Bad},
		{"itl: one token less means larger gaps", itl, with(ok, func(e *telemetry.Event) { e.TokensOut = 60 }), Bad},
		{"itl: one token", itl, with(ok, func(e *telemetry.Event) { e.TokensOut = 1 }), NotCounted},
		{"itl: plain answer", itl, with(ok, func(e *telemetry.Event) { e.Stream = false }), NotCounted},

		{"throughput: above", tps, ok, Good},
		{"throughput: exactly at threshold", tps, with(ok, func(e *telemetry.Event) { e.TokensOut = 60 }), Good}, // 60/1.2s = 50
		{"throughput: below", tps, with(ok, func(e *telemetry.Event) { e.TokensOut = 59 }), Bad},
		{"throughput: no tokens", tps, with(ok, func(e *telemetry.Event) { e.TokensOut = 0 }), NotCounted},
		{"throughput: failed", tps, with(ok, status(telemetry.StatusDegraded, 503)), NotCounted},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			set := mustCompile(t, tt.slo)
			if got := set.At(0).Judge(&tt.ev); got != tally(tt.want) {
				t.Errorf("Judge = %+v, want %s", got, tt.want)
			}
		})
	}
}

// TestSelectors checks route, backend and model selection.
func TestSelectors(t *testing.T) {
	t.Parallel()
	ev := answer(time.Second, 100*time.Millisecond, 10)
	tests := []struct {
		route, backend, model string
		want                  bool
	}{
		{"", "", "", true},
		{"coder", "", "", true},
		{"chat", "", "", false},
		{"", "llama", "", true},
		{"", "remote", "", false},
		{"", "", "qwen", true},
		{"", "", "gpt", false},
		{"coder", "llama", "qwen", true},
		{"coder", "llama", "gpt", false},
	}
	for _, tt := range tests {
		set := mustCompile(t, config.SLO{Name: "a", Route: tt.route, Backend: tt.backend, Model: tt.model,
			Kind: config.SLOAvailability, Objective: 99})
		if got := set.At(0).Matches(&ev); got != tt.want {
			t.Errorf("Matches(route %q, backend %q, model %q) = %v, want %v", tt.route, tt.backend, tt.model, got, tt.want)
		}
		if want := map[bool]Result{true: Good, false: NotCounted}[tt.want]; set.At(0).Judge(&ev) != tally(want) {
			t.Errorf("Judge(route %q, backend %q, model %q) = %+v, want %s", tt.route, tt.backend, tt.model, set.At(0).Judge(&ev), want)
		}
	}
}

// TestJudgeSample checks resource SLOs: each sample within the ceiling is
// good; other gauges and backends are not counted; events never are.
func TestJudgeSample(t *testing.T) {
	t.Parallel()
	set := mustCompile(t,
		config.SLO{Name: "kv", Kind: config.SLOResource, Resource: config.ResourceKVCache, Backend: "llama", Objective: 99, Threshold: num(0.9)},
		config.SLO{Name: "gpu", Kind: config.SLOResource, Resource: config.ResourceGPUMemory, Objective: 99, Threshold: num(0.8)})
	kv, gpu := set.At(0), set.At(1)
	tests := []struct {
		o    *Objective
		s    Sample
		want Result
	}{
		{kv, Sample{Resource: config.ResourceKVCache, Backend: "llama", Value: 0.9}, Good},
		{kv, Sample{Resource: config.ResourceKVCache, Backend: "llama", Value: 0.9000001}, Bad},
		{kv, Sample{Resource: config.ResourceKVCache, Backend: "vllm", Value: 0.99}, NotCounted},
		{kv, Sample{Resource: config.ResourceQueue, Backend: "llama", Value: 3}, NotCounted},
		{gpu, Sample{Resource: config.ResourceGPUMemory, Value: 0.81}, Bad},
		{gpu, Sample{Resource: config.ResourceGPUMemory, Value: 0.5}, Good},
	}
	for i, tt := range tests {
		if got := tt.o.JudgeSample(tt.s); got != tt.want {
			t.Errorf("%d: JudgeSample(%+v) = %s, want %s", i, tt.s, got, tt.want)
		}
	}
	ev := answer(time.Second, time.Second, 1)
	if kv.Matches(&ev) || kv.Judge(&ev) != (Tally{}) {
		t.Error("a resource SLO judged an inference")
	}
}

// TestCompileRejects checks that Compile refuses what validation would.
func TestCompileRejects(t *testing.T) {
	t.Parallel()
	for _, c := range []config.SLO{
		{Name: "a", Kind: "errors", Objective: 99},
		{Name: "a", Kind: config.SLOAvailability, Objective: 100},
		{Name: "a", Kind: config.SLOAvailability, Objective: 99, Period: "14d"},
	} {
		if _, err := Compile([]config.SLO{c}); err == nil {
			t.Errorf("Compile(%+v) = nil error", c)
		}
	}
	set := mustCompile(t, config.SLO{Name: "a", Kind: config.SLOAvailability, Objective: 99.9})
	if o := set.At(0); o.Period != 30*24*time.Hour || o.Config.Period != config.Period30d || o.budget.RatString() != "1/1000" {
		t.Errorf("defaults: period %s (%s), budget %s; want 720h (30d), 1/1000", o.Period, o.Config.Period, o.budget.RatString())
	}
}
