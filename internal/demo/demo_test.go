package demo

import (
	"context"
	"errors"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/flywheel-stack/flywheel/config"
	"github.com/flywheel-stack/flywheel/telemetry"
	"go.uber.org/goleak"
)

func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }

// syncBuffer is a strings.Builder safe for the display goroutine and the
// test to share.
type syncBuffer struct {
	mu sync.Mutex
	b  strings.Builder
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

// TestRunShowsFallbackAndRecovery runs the whole demo for 3 s: the primary
// goes down at 1 s and comes back at 2 s.
func TestRunShowsFallbackAndRecovery(t *testing.T) {
	var out syncBuffer
	events := telemetry.NewMemory()
	reported := false
	dataDir := filepath.Join(t.TempDir(), "data")
	sum, err := Run(context.Background(), &out, Options{
		Duration: 3 * time.Second, Rate: 30, Progress: ProgressBar, Sinks: []telemetry.Sink{events}, DataDir: dataDir,
		Reports: []Report{func(_ context.Context, cfg *config.Config) (Section, error) {
			reported = cfg.Store.DSN != "" && len(cfg.Routes) == 2
			return Section{Title: "Stored", Lines: []string{"counted by a report"}}, nil
		}},
	})
	if err != nil {
		t.Fatalf("Run: %v\n%s", err, out.String())
	}
	text := out.String()
	t.Logf("output:\n%s", text)

	if sum.Requests < 20 || sum.Streamed == 0 || sum.Streamed == sum.Requests {
		t.Errorf("requests %d (%d streamed): want a mix of streamed and plain ones", sum.Requests, sum.Streamed)
	}
	if sum.SuccessRate() < 0.98 {
		t.Errorf("success rate %.3f, want the remote to cover (problems: %v)", sum.SuccessRate(), sum.Problems)
	}
	if sum.Degraded != 0 {
		t.Errorf("%d degraded answers: the remote was up all along", sum.Degraded)
	}
	if sum.Fallbacks == 0 || sum.ServedBy[remoteName] == 0 || sum.ServedBy[primaryName] == 0 {
		t.Errorf("fallbacks %d, served by %v: want both the primary and the remote", sum.Fallbacks, sum.ServedBy)
	}
	if sum.Latency.N != sum.OK || sum.Latency.P50 <= 0 || sum.Latency.P50 > sum.Latency.P95 || sum.Latency.P95 > sum.Latency.P99 {
		t.Errorf("latency %+v for %d answers", sum.Latency, sum.OK)
	}
	if sum.TTFT.N == 0 || sum.TTFT.P50 <= 0 {
		t.Errorf("time to first token %+v", sum.TTFT)
	}

	// The outage: nothing from the primary while it was down, fallbacks
	// instead; it serves again once back.
	if len(sum.Phases) != 3 {
		t.Fatalf("phases %+v", sum.Phases)
	}
	down, back := sum.Phases[1], sum.Phases[2]
	if down.ServedBy[primaryName] != 0 || down.Fallbacks == 0 || down.OK != down.Requests {
		t.Errorf("while down: %+v", down)
	}
	if back.ServedBy[primaryName] == 0 {
		t.Errorf("after coming back the primary served nothing: %+v", back)
	}

	// The primary's breaker opened during the outage, and closed after it.
	trs := sum.TransitionsOf(sum.PrimaryBreaker)
	if len(trs) < 3 {
		t.Fatalf("primary breaker transitions %+v (all: %+v)", trs, sum.Transitions)
	}
	first, last := trs[0], trs[len(trs)-1]
	if first.From != "closed" || first.To != "open" || first.At < down.From {
		t.Errorf("first transition %+v, want closed -> open after the outage began at %v", first, down.From)
	}
	if last.From != "half_open" || last.To != "closed" || last.At < back.From {
		t.Errorf("last transition %+v, want half_open -> closed after the primary came back at %v", last, back.From)
	}

	// The gateway reported every request to the sinks, and the report ran.
	evs := events.Events()
	if len(evs) != sum.Requests {
		t.Errorf("the sink got %d events for %d requests", len(evs), sum.Requests)
	}
	// What the client counted agrees with what the gateway recorded.
	gatewayFallbacks, streams := 0, 0
	for _, e := range evs {
		if e.Status == telemetry.StatusOK && e.FallbackDepth > 0 {
			gatewayFallbacks++
		}
		if e.Stream {
			streams++
		}
	}
	if gatewayFallbacks != sum.Fallbacks || streams != sum.Streamed {
		t.Errorf("gateway telemetry: %d fallbacks, %d streams; the client counted %d and %d",
			gatewayFallbacks, streams, sum.Fallbacks, sum.Streamed)
	}
	if !reported {
		t.Error("the report did not run, or without the configuration")
	}
	checkStored(t, sum, dataDir, evs)
	checkSLOs(t, sum, evs)
	for _, want := range []string{
		"Flywheel demo", "route coder", "local-fast goes down", "local-fast is back", "\r\033[K[",
		"Summary:", "success rate", "fallbacks", "latency", "p95", "p99", "first token",
		"Breaker transitions", "closed -> open", "half_open -> closed", "Stored\n  counted by a report",
		"Stored in ", "feedback, a new store", "flywheel inferences list -c ", "flywheel feedback list -c ", "flywheel inferences show " + sum.Storage.Sent.Example,
		"SLOs of the coder route", "coder-ttft", "alerts firing at the end of the run", "flywheel slo status -c ",
	} {
		if !strings.Contains(text, want) {
			t.Errorf("output lacks %q", want)
		}
	}
}

// interruptSink cancels the run at the first event.
type interruptSink struct {
	once   sync.Once
	cancel context.CancelFunc
}

func (s *interruptSink) Record(*telemetry.Event) { s.once.Do(s.cancel) }

// TestRunInterrupted stops the demo at its first answer, as Ctrl-C would:
// it still prints a summary, returns no error and leaves nothing running.
func TestRunInterrupted(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	var out syncBuffer
	failing := func(context.Context, *config.Config) (Section, error) {
		return Section{Title: "Stored"}, errors.New("no store")
	}
	sum, err := Run(ctx, &out, Options{Duration: time.Minute, Progress: ProgressLines, DataDir: t.TempDir(),
		Sinks: []telemetry.Sink{&interruptSink{cancel: cancel}}, Reports: []Report{failing}})
	if err != nil {
		t.Fatalf("Run: %v", err)
	}
	text := out.String()
	if !sum.Interrupted || sum.Requests == 0 || len(sum.Phases) != 1 || sum.Duration >= time.Minute {
		t.Errorf("summary %+v", sum)
	}
	// What was answered before the interrupt is stored all the same.
	if sum.Storage == nil || sum.Storage.Inferences != int64(sum.Requests) {
		t.Errorf("stored %+v for %d requests", sum.Storage, sum.Requests)
	}
	for _, want := range []string{"interrupted", "requests, ", "Stored\n  unavailable: no store"} {
		if !strings.Contains(text, want) {
			t.Errorf("output lacks %q:\n%s", want, text)
		}
	}
	if strings.Contains(text, "\033[K") {
		t.Errorf("line mode drew a bar:\n%s", text)
	}
}

func TestGeneratedConfigLoads(t *testing.T) {
	t.Parallel()
	bs := []*simBackend{}
	for i, spec := range demoBackends() {
		bs = append(bs, &simBackend{backendSpec: spec, url: "http://127.0.0.1:" + string(rune('1'+i)) + "000"})
	}
	cfg, text, err := buildConfig(bs, demoRoutes(), 30*time.Second, "/tmp/x/flywheel.db")
	if err != nil {
		t.Fatalf("%v\n%s", err, text)
	}
	if len(cfg.Backends) != 3 || len(cfg.Routes) != 2 || cfg.Routes[0].Targets[0].Backend != primaryName {
		t.Fatalf("config %+v", cfg)
	}
	b, _ := cfg.Backend(primaryName)
	if b.Breaker.ConsecutiveFailures != 3 || b.Breaker.OpenFor != 2500*time.Millisecond || b.Breaker.FailureRate != 0 {
		t.Errorf("primary breaker %+v", b.Breaker)
	}
	if r, _ := cfg.Backend(remoteName); r.APIKeyEnv != remoteKeyEnv || demoEnv(remoteKeyEnv) == "" || demoEnv("FLYWHEEL_API_KEYS") != "" {
		t.Errorf("remote key: %+v", r)
	}
	if cfg.Store.DSN != "/tmp/x/flywheel.db" || cfg.Store.Driver != config.DriverSQLite {
		t.Errorf("store %+v", cfg.Store)
	}
	types := map[string]config.MetricType{}
	for _, m := range cfg.Feedback.Metrics {
		types[m.Name] = m.Type
	}
	if types[metricThumbs] != config.MetricBoolean || types[metricRating] != config.MetricFloat ||
		types[metricCorrection] != config.MetricDemonstration {
		t.Errorf("feedback metrics %+v", cfg.Feedback.Metrics)
	}
	if !strings.HasPrefix(text, generatedHeader) {
		t.Errorf("the generated file does not start with %q", generatedHeader)
	}
}
