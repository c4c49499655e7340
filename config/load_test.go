package config

import (
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/flywheel-stack/flywheel/resilience"
)

func ptr[T any](v T) *T { return &v }

// wantExample is what testdata/flywheel.yaml holds, defaults included.
func wantExample() *Config {
	return &Config{
		Server: Server{
			Listen:        "127.0.0.1:8700",
			AdminTokenEnv: "FLYWHEEL_ADMIN_TOKEN",
			APIKeysEnv:    "FLYWHEEL_API_KEYS",
			MaxBodyBytes:  8 * MiB,
			BodyTimeout:   30 * time.Second,
		},
		Store: Store{Driver: DriverSQLite, DSN: "./flywheel-data/flywheel.db", Retention: 168 * time.Hour,
			QueueSize: 10000, QueueBytes: 16 * MiB, BatchSize: 1000, FlushInterval: 200 * time.Millisecond},
		Backends: []Backend{
			{
				Name: "llama", Kind: KindLlamaCPP, URL: "http://127.0.0.1:8080",
				Timeouts: Timeouts{Connect: 2 * time.Second, FirstToken: 30 * time.Second, Idle: time.Minute, Total: 300 * time.Second},
				Breaker: BreakerSpec{FailureRate: 0.5, MinCalls: 10, Window: time.Minute, OpenFor: 30 * time.Second,
					HalfOpenCalls: 2, SlowCall: 20 * time.Second},
				Retry:     RetrySpec{Preset: "internal_service"},
				DeepCheck: DefaultDeepCheck(),
			},
			{
				Name: "remote", Kind: KindOpenAI, URL: "https://api.openai.com/v1", APIKeyEnv: "OPENAI_API_KEY",
				Timeouts: Timeouts{Connect: 5 * time.Second, FirstToken: time.Minute, Idle: 30 * time.Second, Total: 10 * time.Minute},
				Breaker: BreakerSpec{ConsecutiveFailures: 5, WindowCalls: 50, MinCalls: 20, OpenFor: time.Minute, OpenBackoff: 2,
					MaxOpenFor: 10 * time.Minute, HalfOpenCalls: 1, SuccessThreshold: 2, SlowCall: 20 * time.Second},
				Retry: RetrySpec{Preset: "external_api", MaxAttempts: 4, BaseDelay: 500 * time.Millisecond, MaxDelay: 20 * time.Second,
					Multiplier: 3, Jitter: "decorrelated", MaxElapsed: 2 * time.Minute},
				DeepCheck: DefaultDeepCheck(),
			},
		},
		Routes: []Route{
			{Name: "coder", Targets: []Target{{"llama", "qwen2.5-coder-7b-instruct"}, {"remote", "gpt-4o-mini"}},
				Degraded: Degraded{Status: 503, Message: "The assistant is degraded; retry shortly."}},
			{Name: "chat", Targets: []Target{{"remote", "gpt-4o-mini"}}, Degraded: DefaultDegraded()},
		},
		Dependencies: []Dependency{
			{Name: "postgres", Kind: DepPostgres, DSNEnv: "PG_DSN", Critical: true, Weight: 1, Timeout: 5 * time.Second, FailureThreshold: 1},
			{Name: "redis", Kind: DepRedis, Addr: "127.0.0.1:6379", Critical: false, Weight: 0.5, Timeout: 5 * time.Second, FailureThreshold: 1},
			{Name: "qdrant", Kind: DepHTTP, URL: "http://127.0.0.1:6333/readyz", ExpectedStatus: StatusRanges{{200, 399}},
				Critical: true, Weight: 1, Timeout: 5 * time.Second, FailureThreshold: 1},
			{Name: "search", Kind: DepHTTP, URL: "https://search.internal:9200/_cluster/health", ExpectedStatus: StatusRanges{{200, 200}, {204, 204}},
				Critical: true, Weight: 1, Timeout: 2 * time.Second, Interval: 30 * time.Second, FailureThreshold: 3},
		},
		Health: Health{Interval: 10 * time.Second, Thresholds: Thresholds{CPUPercent: 80, MemoryPercent: 85, DiskPercent: 90}},
		Feedback: Feedback{Metrics: []Metric{
			{Name: "thumbs_up", Type: MetricBoolean, Optimize: OptimizeMax},
			{Name: "rating", Type: MetricFloat, Optimize: OptimizeMax, Min: ptr(1.0), Max: ptr(5.0)},
			{Name: "comment", Type: MetricComment},
			{Name: "correction", Type: MetricDemonstration},
		}},
		Capture: Capture{Prompts: true, Responses: true, SampleRate: 1, User: UserPlain, Redact: []Regexp{
			MustRegexp(`sk-[A-Za-z0-9]{20,}`),
			MustRegexp(`\b\d{4}[ -]?\d{4}[ -]?\d{4}[ -]?\d{4}\b`),
		}},
		Resources: DefaultResources(),
		Alerts:    Alerts{Webhook: AlertWebhook{Timeout: 10 * time.Second, QueueSize: 1000}},
	}
}

func TestLoadExample(t *testing.T) {
	t.Parallel()
	got, err := Load(filepath.Join("testdata", "flywheel.yaml"))
	if err != nil {
		t.Fatalf("Load: %v", err)
	}
	want := wantExample()
	if !reflect.DeepEqual(got, want) {
		t.Errorf("Load:\n got %+v\nwant %+v", got, want)
	}
	if got.Capture.Redact[0].MatchString("key sk-abcdefghijklmnopqrstuvwxyz") != true {
		t.Errorf("redact[0] does not match an OpenAI key")
	}
	if err := got.Validate(); err != nil {
		t.Errorf("Validate of a loaded config: %v", err)
	}
}

func TestExampleMapsOntoResilience(t *testing.T) {
	t.Parallel()
	cfg, err := Load(filepath.Join("testdata", "flywheel.yaml"))
	if err != nil {
		t.Fatalf("Load: %v", err)
	}
	llama, _ := cfg.Backend("llama")
	remote, _ := cfg.Backend("remote")

	wantBreakers := map[string]resilience.BreakerConfig{
		"llama": {Name: "llama", FailureRate: 0.5, MinCalls: 10, Window: resilience.TimeWindow, WindowDuration: time.Minute,
			OpenFor: 30 * time.Second, HalfOpenCalls: 2, SlowCall: 20 * time.Second},
		"remote": {Name: "remote", ConsecutiveFailures: 5, MinCalls: 20, Window: resilience.CountWindow, WindowSize: 50,
			OpenFor: time.Minute, OpenBackoff: 2, MaxOpenFor: 10 * time.Minute, HalfOpenCalls: 1, SuccessThreshold: 2, SlowCall: 20 * time.Second},
	}
	for _, b := range []Backend{llama, remote} {
		got := b.BreakerConfig()
		if !reflect.DeepEqual(got, wantBreakers[b.Name]) {
			t.Errorf("%s breaker:\n got %+v\nwant %+v", b.Name, got, wantBreakers[b.Name])
		}
		if err := got.Validate(); err != nil {
			t.Errorf("%s breaker: Validate: %v", b.Name, err)
		}
	}

	r, err := llama.RetryConfig()
	if err != nil {
		t.Fatalf("llama retry: %v", err)
	}
	if r.Name != "llama" || r.MaxAttempts != 3 || r.BaseDelay != 500*time.Millisecond || r.MaxDelay != 10*time.Second ||
		r.Multiplier != 2 || r.Jitter != resilience.JitterFull || r.RetryIf != nil {
		t.Errorf("llama retry = %+v, want internal_service named llama", r)
	}
	r, err = remote.RetryConfig()
	if err != nil {
		t.Fatalf("remote retry: %v", err)
	}
	if r.Name != "remote" || r.MaxAttempts != 4 || r.BaseDelay != 500*time.Millisecond || r.MaxDelay != 20*time.Second ||
		r.Multiplier != 3 || r.Jitter != resilience.JitterDecorrelated || r.MaxElapsed != 2*time.Minute ||
		r.RetryIf == nil || !r.HoldBreaker {
		t.Errorf("remote retry = %+v, want external_api with overrides", r)
	}
	if err := r.Validate(); err != nil {
		t.Errorf("remote retry: Validate: %v", err)
	}
}

// designExample is the configuration block of DESIGN.md verbatim. Its routes
// name a backend "remote" that it does not define.
const designExample = `server:
  listen: 127.0.0.1:8700
  admin_token_env: FLYWHEEL_ADMIN_TOKEN   # name of the env var holding the admin token
  api_keys_env: FLYWHEEL_API_KEYS         # comma-separated client keys; unset = no client auth
store:
  driver: sqlite                          # sqlite | postgres
  dsn: ./flywheel-data/flywheel.db        # or postgres://...
backends:
  - name: llama
    kind: llamacpp                        # llamacpp | ollama | vllm | openai
    url: http://127.0.0.1:8080
    api_key_env: ""
    timeouts: {connect: 2s, first_token: 30s, total: 300s}
    breaker: {failure_rate: 0.5, min_calls: 10, window: 60s, open_for: 30s, half_open_calls: 2, slow_call: 20s}
    retry: {preset: internal_service}     # or max_attempts / base_delay / max_delay / jitter
routes:
  - name: coder                           # the model name clients ask for
    targets:                              # fallback chain, tried in order
      - {backend: llama, model: qwen2.5-coder-7b-instruct}
      - {backend: remote, model: gpt-4o-mini}
    degraded: {status: 503, message: "The assistant is degraded; retry shortly."}
dependencies:
  - {name: postgres, kind: postgres, dsn_env: PG_DSN, critical: true, weight: 1.0, timeout: 5s}
  - {name: redis, kind: redis, addr: 127.0.0.1:6379, critical: false, weight: 0.5}
  - {name: qdrant, kind: http, url: http://127.0.0.1:6333/readyz, critical: true}
health:
  interval: 10s
  thresholds: {cpu_percent: 80, memory_percent: 85, disk_percent: 90}
feedback:
  metrics:
    - {name: thumbs_up, type: boolean, optimize: max}
    - {name: rating, type: float, optimize: max, min: 1, max: 5}
capture: {prompts: true, responses: true, sample_rate: 1.0}
`

func TestDesignExample(t *testing.T) {
	t.Parallel()
	_, err := Parse("flywheel.yaml", []byte(designExample))
	want := `flywheel.yaml:20: routes[0].targets[1].backend: backend "remote" is not defined (defined: "llama")`
	if err == nil || err.Error() != want {
		t.Fatalf("Parse(DESIGN.md example) = %v, want %s", err, want)
	}
	fixed := strings.Replace(designExample, "routes:", "  - {name: remote, kind: openai, url: 'https://api.openai.com/v1', api_key_env: OPENAI_API_KEY}\nroutes:", 1)
	if _, err := Parse("flywheel.yaml", []byte(fixed)); err != nil {
		t.Fatalf("Parse(DESIGN.md example with remote defined): %v", err)
	}
}

func TestDefaults(t *testing.T) {
	t.Parallel()
	want := &Config{
		Server: Server{Listen: "127.0.0.1:8700", AdminTokenEnv: "FLYWHEEL_ADMIN_TOKEN", APIKeysEnv: "FLYWHEEL_API_KEYS", MaxBodyBytes: 4 << 20,
			BodyTimeout: 30 * time.Second},
		Store: Store{Driver: "sqlite", DSN: "./flywheel-data/flywheel.db", Retention: 720 * time.Hour,
			QueueSize: 10000, QueueBytes: 16 * MiB, BatchSize: 1000, FlushInterval: 200 * time.Millisecond},
		Health:    Health{Interval: 10 * time.Second, Thresholds: Thresholds{CPUPercent: 80, MemoryPercent: 85, DiskPercent: 90}},
		Capture:   Capture{Prompts: true, Responses: true, SampleRate: 1, User: UserPlain},
		Resources: Resources{Interval: 15 * time.Second, GPU: "auto", BackendMetrics: true},
		Alerts:    Alerts{Webhook: AlertWebhook{Timeout: 10 * time.Second, QueueSize: 1000}},
	}
	if got := Default(); !reflect.DeepEqual(got, want) {
		t.Errorf("Default() = %+v\nwant %+v", got, want)
	}
	if err := Default().Validate(); err != nil {
		t.Errorf("Default().Validate() = %v", err)
	}
	for _, src := range []string{"", "# nothing yet\n", "---\n", "{}\n", "~\n", "server:\nstore: {}\nbackends: []\nhealth: ~\n", "x-anchors: {a: 1}\n"} {
		got, err := Parse("f.yaml", []byte(src))
		if err != nil {
			t.Errorf("Parse(%q): %v", src, err)
			continue
		}
		if !reflect.DeepEqual(got, want) {
			t.Errorf("Parse(%q) = %+v\nwant %+v", src, got, want)
		}
	}
}

// TestItemDefaults checks the defaults of list items: what a minimal
// backend, route, dependency or metric gets.
func TestItemDefaults(t *testing.T) {
	t.Parallel()
	cfg, err := Parse("f.yaml", []byte(`
backends:
  - {name: b, kind: ollama, url: "http://127.0.0.1:11434"}
routes:
  - {name: r, targets: [{backend: b, model: m}]}
dependencies:
  - {name: web, kind: http, url: "http://x/healthz"}
  - {name: db, kind: tcp, addr: "db:5432"}
feedback:
  metrics:
    - {name: good, type: boolean}
    - {name: stars, type: float}
`))
	if err != nil {
		t.Fatal(err)
	}
	b := cfg.Backends[0]
	if b.Timeouts != (Timeouts{Connect: 2 * time.Second, FirstToken: 30 * time.Second, Idle: 60 * time.Second, Total: 300 * time.Second}) {
		t.Errorf("timeouts = %+v", b.Timeouts)
	}
	if b.Breaker != DefaultBreaker() || b.Breaker != (BreakerSpec{FailureRate: 0.5, Window: 60 * time.Second,
		HalfOpenCalls: 2, SlowCall: 20 * time.Second}) {
		t.Errorf("breaker = %+v", b.Breaker)
	}
	// min_calls and open_for are the library's defaults.
	if eff := resilience.NewBreaker(b.BreakerConfig()).Config(); eff.MinCalls != 10 || eff.OpenFor != 30*time.Second {
		t.Errorf("effective breaker = %+v, want min_calls 10, open_for 30s", eff)
	}
	if b.Retry != (RetrySpec{Preset: "llm_inference"}) {
		t.Errorf("retry = %+v", b.Retry)
	}
	if b.DeepCheck != (DeepCheck{Enabled: false, Interval: 5 * time.Minute, Timeout: 30 * time.Second}) {
		t.Errorf("deep_check = %+v, want off, every 5m, 30s timeout", b.DeepCheck)
	}
	if r := cfg.Routes[0]; r.Degraded != (Degraded{Status: 503, Message: "The assistant is degraded; retry shortly."}) {
		t.Errorf("degraded = %+v", r.Degraded)
	}
	web, db := cfg.Dependencies[0], cfg.Dependencies[1]
	if !web.Critical || web.Weight != 1 || web.Timeout != 5*time.Second || web.Interval != 0 || web.FailureThreshold != 1 || web.FailAfter != 0 {
		t.Errorf("dependency defaults = %+v", web)
	}
	if web.ExpectedStatus.String() != "200-399" || !web.ExpectedStatus.Contains(302) || web.ExpectedStatus.Contains(404) {
		t.Errorf("http expected_status = %v, want 200-399", web.ExpectedStatus)
	}
	if db.ExpectedStatus != nil {
		t.Errorf("tcp expected_status = %v, want none", db.ExpectedStatus)
	}
	for _, m := range cfg.Feedback.Metrics {
		if m.Optimize != OptimizeMax || m.Min != nil || m.Max != nil {
			t.Errorf("metric %s = %+v, want optimize max, no bounds", m.Name, m)
		}
	}
}

func TestLoadMissingFile(t *testing.T) {
	t.Parallel()
	_, err := Load(filepath.Join(t.TempDir(), "nope.yaml"))
	if !errors.Is(err, fs.ErrNotExist) {
		t.Fatalf("Load(missing) = %v, want fs.ErrNotExist", err)
	}
}

func TestLoadNamesTheFile(t *testing.T) {
	t.Parallel()
	path := filepath.Join(t.TempDir(), "flywheel.yaml")
	if err := os.WriteFile(path, []byte("server:\n  listen: nope\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	_, err := Load(path)
	want := path + `:2: server.listen: must be host:port, like 127.0.0.1:8700, got "nope"`
	if err == nil || err.Error() != want {
		t.Fatalf("Load = %v, want %s", err, want)
	}
	var e *Error
	if !errors.As(err, &e) || e.File != path || e.Line != 2 || e.Column != 3 || e.Path != "server.listen" {
		t.Errorf("errors.As = %+v", e)
	}
}

func TestLookups(t *testing.T) {
	t.Parallel()
	cfg := wantExample()
	if b, ok := cfg.Backend("remote"); !ok || b.Kind != KindOpenAI {
		t.Errorf("Backend(remote) = %+v, %v", b, ok)
	}
	if _, ok := cfg.Backend("nope"); ok {
		t.Errorf("Backend(nope) found")
	}
	if r, ok := cfg.Route("chat"); !ok || len(r.Targets) != 1 {
		t.Errorf("Route(chat) = %+v, %v", r, ok)
	}
	if _, ok := cfg.Route("nope"); ok {
		t.Errorf("Route(nope) found")
	}
	if d, ok := cfg.Dependency("redis"); !ok || d.Addr != "127.0.0.1:6379" {
		t.Errorf("Dependency(redis) = %+v, %v", d, ok)
	}
	if _, ok := cfg.Dependency("nope"); ok {
		t.Errorf("Dependency(nope) found")
	}
}
