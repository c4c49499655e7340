package config

import (
	"reflect"
	"strconv"
	"strings"
	"testing"
	"time"

	"go.yaml.in/yaml/v3"
)

func TestAnchorsAndMergeKeys(t *testing.T) {
	t.Parallel()
	cfg, err := Parse("f.yaml", []byte(`
x-local: &local
  kind: llamacpp
  timeouts: {connect: 1s}
  breaker: &breaker {consecutive_failures: 3, open_for: 10s}
x-remote: &remote {kind: openai, api_key_env: OPENAI_API_KEY}
backends:
  - <<: *local
    name: a
    url: http://a
  - <<: [*remote, *local]        # remote wins where both set a key
    name: b
    url: https://b
    timeouts: {connect: 3s}      # an explicit key wins over merged ones
  - {name: c, kind: vllm, url: "http://c", breaker: *breaker}
`))
	if err != nil {
		t.Fatal(err)
	}
	a, b, c := cfg.Backends[0], cfg.Backends[1], cfg.Backends[2]
	if a.Kind != KindLlamaCPP || a.Timeouts.Connect != time.Second || a.Timeouts.Total != 300*time.Second {
		t.Errorf("a = %+v", a)
	}
	if b.Kind != KindOpenAI || b.APIKeyEnv != "OPENAI_API_KEY" || b.Timeouts.Connect != 3*time.Second {
		t.Errorf("b = %+v", b)
	}
	want := BreakerSpec{ConsecutiveFailures: 3, OpenFor: 10 * time.Second, Window: time.Minute, HalfOpenCalls: 2, SlowCall: 20 * time.Second}
	for _, be := range []Backend{a, b, c} {
		if be.Breaker != want {
			t.Errorf("%s breaker = %+v, want %+v", be.Name, be.Breaker, want)
		}
	}
}

func TestErrorsInsideAnAnchorPointThere(t *testing.T) {
	t.Parallel()
	_, err := Parse("f.yaml", []byte("x-b: &b {failure_rate: 3}\nbackends:\n  - {name: a, kind: vllm, url: 'http://a', breaker: *b}\n"))
	want := "f.yaml:1: backends[0].breaker.failure_rate: must be in (0,1], got 3"
	if err == nil || err.Error() != want {
		t.Errorf("error = %v, want %s", err, want)
	}
}

func TestUnknownKeySuggestions(t *testing.T) {
	t.Parallel()
	known := []string{"failure_rate", "slow_call_rate", "slow_call", "min_calls", "window", "window_calls"}
	tests := map[string]string{
		"failure_rat":    `unknown key (did you mean "failure_rate"?)`,
		"failurerate":    `unknown key (did you mean "failure_rate"?)`,
		"Failure_Rate":   `unknown key (did you mean "failure_rate"?)`,
		"failure-rate":   `unknown key (did you mean "failure_rate"?)`,
		"min_call":       `unknown key (did you mean "min_calls"?)`,
		"windows":        `unknown key (did you mean "window"?)`,
		"x":              "unknown key (known keys: failure_rate, slow_call_rate, slow_call, min_calls, window, window_calls)",
		"threshold_rate": "unknown key (known keys: failure_rate, slow_call_rate, slow_call, min_calls, window, window_calls)",
	}
	for key, want := range tests {
		if got := unknownKey(key, known); got != want {
			t.Errorf("unknownKey(%q) = %s, want %s", key, got, want)
		}
	}
}

// futureSection stands for a section added later: the strict decoder and the
// validation walk must handle it from its struct tags alone.
type futureSection struct {
	Enabled      bool                     `yaml:"enabled"`
	Items        []futureItem             `yaml:"items"`
	Windows      map[string]time.Duration `yaml:"windows"`
	Limit        *int                     `yaml:"limit"`
	Size         ByteSize                 `yaml:"size"`
	futureCommon `yaml:",inline"`
	Note         string // no yaml tag: not a key
}

type futureCommon struct {
	Owner string `yaml:"owner"`
}

type futureItem struct {
	Name  string  `yaml:"name"`
	Ratio float64 `yaml:"ratio"`
}

func (f *futureItem) SetDefaults() { f.Ratio = 0.5 }

func (f *futureItem) validate(v *validator, path string) {
	if f.Name == "" {
		v.errorf(join(path, "name"), "required")
	}
}

func TestDecoderHandlesNewSections(t *testing.T) {
	t.Parallel()
	src := `enabled: true
owner: ml-team
size: 2KiB
items:
  - {name: a}
  - {ratio: 0.9}
windows: {fast: 5m, slow: 1h}
limit: 7
`
	var doc yaml.Node
	if err := yaml.Unmarshal([]byte(src), &doc); err != nil {
		t.Fatal(err)
	}
	r := newReport("f.yaml")
	var got futureSection
	(&decoder{r: r}).decode(doc.Content[0], reflect.ValueOf(&got).Elem(), "future", posOf(doc.Content[0]))
	if err := r.result(); err != nil {
		t.Fatalf("decode: %v", err)
	}
	want := futureSection{
		Enabled: true, Items: []futureItem{{"a", 0.5}, {"", 0.9}},
		Windows: map[string]time.Duration{"fast": 5 * time.Minute, "slow": time.Hour},
		Limit:   ptr(7), Size: 2 * KiB, futureCommon: futureCommon{Owner: "ml-team"},
	}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("decode = %+v, want %+v", got, want)
	}
	if l := r.at("future.windows.slow").line; l != 7 {
		t.Errorf("line of future.windows.slow = %d, want 7", l)
	}
	v := &validator{r: r}
	visit(reflect.ValueOf(&got).Elem(), "future", nil, func(rv reflect.Value, path string) {
		if n, ok := rv.Addr().Interface().(validatable); ok {
			n.validate(v, path)
		}
	})
	if err := r.result(); err == nil || err.Error() != "f.yaml:6: future.items[1].name: required" {
		t.Errorf("validate = %v", err)
	}

	// Errors in the new section get lines and paths too.
	bad := "enabled: 1\nwindows: {fast: 5}\nlimit: x\nnote: y\n"
	if err := yaml.Unmarshal([]byte(bad), &doc); err != nil {
		t.Fatal(err)
	}
	r = newReport("f.yaml")
	(&decoder{r: r}).decode(doc.Content[0], reflect.ValueOf(&futureSection{}).Elem(), "future", posOf(doc.Content[0]))
	wantErr := strings.Join([]string{
		"f.yaml:1: future.enabled: expected a boolean (true or false), got integer 1",
		"f.yaml:2: future.windows.fast: duration 5 has no unit; add one, like 5s or 5ms (units: ns, us, ms, s, m, h)",
		`f.yaml:3: future.limit: expected an integer, got string "x"`,
		"f.yaml:4: future.note: unknown key (known keys: enabled, items, windows, limit, size, owner)",
	}, "\n")
	if err := r.result(); err == nil || err.Error() != wantErr {
		t.Errorf("errors:\n got %v\nwant %s", err, wantErr)
	}
}

// TestValidateInCode checks Config.Validate on a Config built in code:
// problems carry the key path and no file or line.
func TestValidateInCode(t *testing.T) {
	t.Parallel()
	cfg := Default()
	cfg.Store.Driver = DriverPostgres
	cfg.Routes = []Route{{Name: "r", Targets: []Target{{Backend: "ghost", Model: "m"}}, Degraded: DefaultDegraded()}}
	want := "store.dsn: required (or dsn_env) for driver postgres\n" +
		`routes[0].targets[0].backend: backend "ghost" is not defined (defined: none)`
	if err := cfg.Validate(); err == nil || err.Error() != want {
		t.Errorf("Validate:\n got %v\nwant %s", err, want)
	}
}

func TestAliasBomb(t *testing.T) {
	t.Parallel()
	var b strings.Builder
	b.WriteString("x-0: &m0 {name: a}\n")
	for i := 1; i <= 12; i++ {
		b.WriteString("x-" + string(rune('a'+i)) + ": &m" + itoa(i) + " {<<: [")
		for j := range 10 {
			if j > 0 {
				b.WriteString(", ")
			}
			b.WriteString("*m" + itoa(i-1))
		}
		b.WriteString("]}\n")
	}
	b.WriteString("backends:\n  - *m12\n")
	_, err := Parse("f.yaml", []byte(b.String()))
	if err == nil || !strings.Contains(err.Error(), "expands to more than 1000000 values") {
		t.Fatalf("error = %v, want the expansion to be stopped", err)
	}
}

func itoa(i int) string { return strconv.Itoa(i) }
