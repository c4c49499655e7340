package config

import (
	"reflect"
	"strings"
	"testing"
	"time"
)

// sloBase defines two backends and two routes on lines 1-9, for SLO cases
// to follow from line 10 with "slos:".
const sloBase = `backends:
  - {name: llama, kind: llamacpp, url: "http://127.0.0.1:8080"}
  - {name: remote, kind: openai, url: "https://api.example.com/v1"}
routes:
  - name: coder
    targets: [{backend: llama, model: qwen-coder}, {backend: remote, model: gpt-4o-mini}]
  - name: chat
    targets: [{backend: remote, model: gpt-4o-mini}]
x-pad: 9
`

// TestSLOsDesignExample parses the slos: section of DESIGN.md and checks
// every field, defaults included.
func TestSLOsDesignExample(t *testing.T) {
	t.Parallel()
	cfg, err := Parse("f.yaml", []byte(sloBase+`slos:
  - {name: coder-availability, route: coder, kind: availability, objective: 99.5, period: 30d}
  - {name: coder-ttft, route: coder, kind: ttft, threshold: 800ms, objective: 95, min_events: 10}
  - {name: llama-fast-burn, backend: llama, kind: availability, objective: 99, on_page: demote}
  - {name: tps, model: gpt-4o-mini, kind: throughput, threshold: 20, objective: 90, period: 7d, min_events: 0}
  - {name: kv, backend: llama, kind: resource, resource: kv_cache, threshold: 0.95, objective: 99.9, period: 28d}
  - {name: itl, route: chat, backend: remote, kind: inter_token_latency, threshold: 50ms, objective: 99}
`))
	if err != nil {
		t.Fatal(err)
	}
	want := []SLO{
		{Name: "coder-availability", Route: "coder", Kind: SLOAvailability, Objective: 99.5, Period: Period30d, MinEvents: 10},
		{Name: "coder-ttft", Route: "coder", Kind: SLOTTFT, Objective: 95, Period: Period30d, MinEvents: 10,
			Threshold: SLOThreshold{Duration: 800 * time.Millisecond, IsDuration: true, Set: true}},
		{Name: "llama-fast-burn", Backend: "llama", Kind: SLOAvailability, Objective: 99, Period: Period30d, MinEvents: 10, OnPage: OnPageDemote},
		{Name: "tps", Model: "gpt-4o-mini", Kind: SLOThroughput, Objective: 90, Period: Period7d, MinEvents: 0,
			Threshold: SLOThreshold{Value: 20, Set: true}},
		{Name: "kv", Backend: "llama", Kind: SLOResource, Resource: ResourceKVCache, Objective: 99.9, Period: Period28d, MinEvents: 10,
			Threshold: SLOThreshold{Value: 0.95, Set: true}},
		{Name: "itl", Route: "chat", Backend: "remote", Kind: SLOInterTokenLatency, Objective: 99, Period: Period30d, MinEvents: 10,
			Threshold: SLOThreshold{Duration: 50 * time.Millisecond, IsDuration: true, Set: true}},
	}
	if !reflect.DeepEqual(cfg.SLOs, want) {
		t.Errorf("slos =\n%+v\nwant\n%+v", cfg.SLOs, want)
	}
	if got := cfg.SLOs[1].Threshold.String(); got != "800ms" {
		t.Errorf("threshold string = %q, want 800ms", got)
	}
	for p, d := range map[SLOPeriod]time.Duration{Period30d: 720 * time.Hour, Period28d: 672 * time.Hour, Period7d: 168 * time.Hour, "1d": 0} {
		if got := p.Duration(); got != d {
			t.Errorf("%s.Duration() = %s, want %s", p, got, d)
		}
	}
}

// TestSLOErrors checks that every invalid entry is reported at its file,
// line and key.
func TestSLOErrors(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name, slos, want string
	}{
		{"unknown route", "  - {name: a, route: nope, kind: availability, objective: 99}\n",
			`f.yaml:11: slos[0].route: route "nope" is not defined (defined: "coder", "chat")`},
		{"unknown backend", "  - name: a\n    backend: vllm\n    kind: availability\n    objective: 99\n",
			`f.yaml:12: slos[0].backend: backend "vllm" is not defined (defined: "llama", "remote")`},
		{"backend not in the route", "  - {name: a, route: chat, backend: llama, kind: availability, objective: 99}\n",
			`f.yaml:11: slos[0].backend: selects nothing: route "chat" has no target with backend "llama"`},
		{"model not in any route", "  - name: a\n    model: llama3\n    kind: availability\n    objective: 99\n",
			`f.yaml:12: slos[0].model: selects nothing: no route has a target with model "llama3"`},
		{"model not on the backend", "  - {name: a, backend: llama, model: gpt-4o-mini, kind: availability, objective: 99}\n",
			`f.yaml:11: slos[0].model: selects nothing: no route has a target with model "gpt-4o-mini" on backend "llama"`},
		{"objective 100", "  - name: a\n    kind: availability\n    objective: 100\n",
			"f.yaml:13: slos[0].objective: must be strictly between 0 and 100 (a percentage, like 99.5), got 100"},
		{"objective 0", "  - name: a\n    kind: availability\n    objective: 0\n",
			"f.yaml:13: slos[0].objective: must be strictly between 0 and 100 (a percentage, like 99.5), got 0"},
		{"objective as a ratio is fine but negative is not", "  - {name: a, kind: availability, objective: -1}\n",
			"f.yaml:11: slos[0].objective: must be strictly between 0 and 100 (a percentage, like 99.5), got -1"},
		{"objective missing", "  - name: a\n    kind: availability\n",
			"f.yaml:11: slos[0].objective: required: the percentage of good events, like 99.5"},
		{"objective a string", "  - {name: a, kind: availability, objective: high}\n",
			`f.yaml:11: slos[0].objective: expected a number, got string "high"`},
		{"period not allowed", "  - name: a\n    kind: availability\n    objective: 99\n    period: 14d\n",
			`f.yaml:14: slos[0].period: must be one of 30d, 28d or 7d, got "14d"`},
		{"kind missing", "  - {name: a, objective: 99}\n",
			"f.yaml:11: slos[0].kind: required (one of availability, latency, ttft, inter_token_latency, throughput or resource)"},
		{"kind unknown", "  - {name: a, kind: errors, objective: 99}\n",
			`f.yaml:11: slos[0].kind: must be one of availability, latency, ttft, inter_token_latency, throughput or resource, got "errors"`},
		{"name missing", "  - {kind: availability, objective: 99}\n", "f.yaml:11: slos[0].name: required"},
		{"name with a space", "  - {name: my slo, kind: availability, objective: 99}\n",
			`f.yaml:11: slos[0].name: must start with a letter or digit and hold only letters, digits, '_', '.' and '-', got "my slo"`},
		{"duplicate name", "  - {name: a, kind: availability, objective: 99}\n  - {name: a, kind: availability, objective: 98}\n",
			`f.yaml:12: slos[1].name: duplicate name "a" (first at line 11)`},
		{"threshold missing", "  - name: a\n    kind: latency\n    objective: 99\n",
			"f.yaml:11: slos[0].threshold: required for kind latency: a duration like 800ms"},
		{"threshold without unit", "  - name: a\n    kind: ttft\n    objective: 99\n    threshold: 800\n",
			"f.yaml:14: slos[0].threshold: kind ttft needs a duration with a unit, like 800ms, got 800"},
		{"threshold not a duration", "  - {name: a, kind: ttft, objective: 99, threshold: fast}\n",
			`f.yaml:11: slos[0].threshold: invalid threshold "fast": write a duration like "800ms" or a number like 50`},
		{"threshold a list", "  - {name: a, kind: ttft, objective: 99, threshold: [1s]}\n",
			`f.yaml:11: slos[0].threshold: expected a duration like "800ms" or a number, got a sequence`},
		{"threshold zero", "  - {name: a, kind: latency, objective: 99, threshold: 0s}\n",
			"f.yaml:11: slos[0].threshold: must be > 0, got 0s"},
		{"threshold on availability", "  - {name: a, kind: availability, objective: 99, threshold: 1s}\n",
			"f.yaml:11: slos[0].threshold: not used by kind availability"},
		{"throughput with a duration", "  - {name: a, kind: throughput, objective: 99, threshold: 1s}\n",
			"f.yaml:11: slos[0].threshold: kind throughput needs a number of tokens per second, like 20, got 1s"},
		{"throughput missing", "  - {name: a, kind: throughput, objective: 99}\n",
			"f.yaml:11: slos[0].threshold: required for kind throughput: the fewest tokens per second, like 20"},
		{"throughput not positive", "  - {name: a, kind: throughput, objective: 99, threshold: 0}\n",
			"f.yaml:11: slos[0].threshold: must be > 0 tokens per second, got 0"},
		{"min_events negative", "  - name: a\n    kind: availability\n    objective: 99\n    min_events: -1\n",
			"f.yaml:14: slos[0].min_events: must be >= 0 (0 or 1: no minimum), got -1"},
		{"on_page unknown", "  - {name: a, backend: llama, kind: availability, objective: 99, on_page: restart}\n",
			`f.yaml:11: slos[0].on_page: must be demote, or absent to alert only, got "restart"`},
		{"demote without backend", "  - name: a\n    route: coder\n    kind: availability\n    objective: 99\n    on_page: demote\n",
			"f.yaml:15: slos[0].on_page: demote needs the SLO scoped to a backend (set backend)"},
		{"unknown key", "  - {name: a, kind: availability, objective: 99, windows: 1h}\n",
			"f.yaml:11: slos[0].windows: unknown key (known keys: name, route, backend, model, kind, resource, objective, period, threshold, min_events, on_page)"},
		{"resource on another kind", "  - {name: a, kind: availability, objective: 99, resource: queue}\n",
			"f.yaml:11: slos[0].resource: applies only to kind resource, not availability"},
		{"resource missing", "  - {name: a, kind: resource, objective: 99, threshold: 0.9}\n",
			"f.yaml:11: slos[0].resource: required (one of gpu_utilization, gpu_memory, kv_cache or queue)"},
		{"resource ratio above 1", "  - {name: a, kind: resource, resource: gpu_memory, objective: 99, threshold: 90}\n",
			"f.yaml:11: slos[0].threshold: must be a ratio in (0,1] for gpu_memory, got 90"},
		{"resource gpu with backend", "  - {name: a, kind: resource, resource: gpu_utilization, backend: llama, objective: 99, threshold: 0.9}\n",
			"f.yaml:11: slos[0].backend: not used by resource gpu_utilization (GPUs are sampled per GPU)"},
		{"resource queue without backend", "  - {name: a, kind: resource, resource: queue, objective: 99, threshold: 8}\n",
			"f.yaml:11: slos[0].backend: required for resource queue: the backend whose metrics are sampled"},
		{"resource with route", "  - {name: a, kind: resource, resource: queue, backend: llama, route: coder, objective: 99, threshold: 8}\n",
			"f.yaml:11: slos[0].route: not used by kind resource (samples are per GPU or per backend)"},
		{"slos not a list", " {name: a}\n", "f.yaml:10: slos: expected a sequence, got a mapping"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			src := sloBase + "slos:" + tt.slos
			if strings.HasPrefix(tt.slos, "  ") {
				src = sloBase + "slos:\n" + tt.slos
			}
			_, err := Parse("f.yaml", []byte(src))
			if err == nil || err.Error() != tt.want {
				t.Errorf("Parse =\n%v\nwant\n%s", err, tt.want)
			}
		})
	}
}

// TestSLOErrorsAreAllReported checks that several bad entries give one
// line each, in file order.
func TestSLOErrorsAreAllReported(t *testing.T) {
	t.Parallel()
	_, err := Parse("f.yaml", []byte(sloBase+`slos:
  - {name: a, route: nope, kind: availability, objective: 100}
  - {name: b, kind: latency, objective: 99}
`))
	want := `f.yaml:11: slos[0].route: route "nope" is not defined (defined: "coder", "chat")
f.yaml:11: slos[0].objective: must be strictly between 0 and 100 (a percentage, like 99.5), got 100
f.yaml:12: slos[1].threshold: required for kind latency: a duration like 800ms`
	if err == nil || err.Error() != want {
		t.Errorf("Parse =\n%v\nwant\n%s", err, want)
	}
}

// TestSLOValidateInCode checks that an SLO built in Go is checked without
// lines.
func TestSLOValidateInCode(t *testing.T) {
	t.Parallel()
	cfg := Default()
	cfg.SLOs = []SLO{{Name: "a", Route: "nope", Kind: SLOAvailability, Objective: 99, Period: Period30d}}
	err := cfg.Validate()
	want := `slos[0].route: route "nope" is not defined (defined: none)`
	if err == nil || err.Error() != want {
		t.Errorf("Validate = %v, want %s", err, want)
	}
	if b := (SLO{Objective: 99.5}).ErrorBudget(); b < 0.004999 || b > 0.005001 {
		t.Errorf("ErrorBudget(99.5) = %g, want 0.005", b)
	}
}
