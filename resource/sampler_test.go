package resource

import (
	"context"
	"net/http"
	"reflect"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/flywheel-stack/flywheel/catalog"
)

// One round reads every source at once: the GPUs from nvidia-smi, each
// backend from its /metrics; rocm-smi, not installed, is off with one
// line; an Ollama backend is not read at all.
func TestSampleNowReadsEverySource(t *testing.T) {
	t.Parallel()
	llama := newBackendServer(t, serveFixture(t, "llamacpp-b4000.txt"))
	vllm := newBackendServer(t, serveFixture(t, "vllm-v1-dp2.txt"))
	runner := newTools(map[string]toolAnswer{"nvidia-smi": {file: "nvidia-smi/usage-two-gpu.csv"}})
	s, logs, _ := newSampler(t, Options{Runner: runner, Backends: []Backend{
		{Name: "llama", Kind: KindLlamaCPP, URL: llama.URL + "/v1", APIKey: "sk-local-123456789"},
		{Name: "ollama", Kind: "ollama", URL: "http://127.0.0.1:1"},
		{Name: "vllm", Kind: KindVLLM, URL: vllm.URL},
	}})
	if _, ok := s.Backend("llama"); ok {
		t.Error("Backend before the first round: ok, want not read")
	}

	snap := s.SampleNow(context.Background())
	if !snap.Time.Equal(t0) {
		t.Errorf("snapshot time %s, want the clock's %s", snap.Time, t0)
	}
	if len(snap.GPUs) != 2 || snap.GPUs[0].Utilization != 0.87 || snap.GPUs[1].MemoryUsed != 4<<20 {
		t.Errorf("GPUs = %+v, want nvidia-smi's two", snap.GPUs)
	}
	wantBackends := []BackendStats{
		{Backend: "llama", Kind: KindLlamaCPP, Time: t0, Running: 4, Waiting: 3, KVCache: 0.6875},
		{Backend: "vllm", Kind: KindVLLM, Time: t0, Running: 46, Waiting: 7, KVCache: 0.9137},
	}
	if len(snap.Backends) != 2 || !sameStats(snap.Backends[0], wantBackends[0]) || !sameStats(snap.Backends[1], wantBackends[1]) {
		t.Errorf("backends = %+v, want %+v", snap.Backends, wantBackends)
	}
	for _, w := range wantBackends {
		if got, ok := s.Backend(w.Backend); !ok || !sameStats(got, w) {
			t.Errorf("Backend(%q) = %+v, %v; want %+v", w.Backend, got, ok, w)
		}
	}
	if _, ok := s.Backend("ollama"); ok {
		t.Error("Backend(ollama) ok: an Ollama backend has no metrics to read")
	}
	wantSources := []SourceStatus{
		{Name: "nvidia-smi", State: SourceOK},
		{Name: "rocm-smi", State: SourceOff, Reason: "rocm-smi is not installed"},
		{Name: "backend llama", State: SourceOK},
		{Name: "backend vllm", State: SourceOK},
	}
	if !reflect.DeepEqual(snap.Sources, wantSources) {
		t.Errorf("sources = %+v, want %+v", snap.Sources, wantSources)
	}
	if got := s.Snapshot(); !reflect.DeepEqual(got.Sources, snap.Sources) || !got.Time.Equal(snap.Time) {
		t.Errorf("Snapshot() = %+v, want the round's", got)
	}
	// The API key goes to llama.cpp, whose --api-key guards /metrics too.
	if la, va := llama.authSeen(), vllm.authSeen(); la[0] != "Bearer sk-local-123456789" || va[0] != "" {
		t.Errorf("Authorization sent: llama %q, vllm %q", la, va)
	}
	if got := logs.lines("resource source"); len(got) != 1 || !strings.Contains(got[0], "source=rocm-smi") ||
		!strings.Contains(got[0], "level=INFO") {
		t.Errorf("log lines = %q, want one INFO line turning rocm-smi off", got)
	}
}

// A missing tool or endpoint turns its source off with one log line,
// never an error, and is not tried again; when every source is off, Run
// returns after its first round.
func TestMissingSourcesTurnOffWithOneLine(t *testing.T) {
	t.Parallel()
	noMetrics := newBackendServer(t, llamaNoMetrics)
	gone := newBackendServer(t, status(http.StatusNotFound, "404 page not found"))
	other := newBackendServer(t, serveFixture(t, "go-process.txt"))
	runner := newTools(map[string]toolAnswer{})
	s, logs, _ := newSampler(t, Options{Runner: runner, Backends: []Backend{
		{Name: "llama", Kind: KindLlamaCPP, URL: noMetrics.URL},
		{Name: "old", Kind: KindVLLM, URL: gone.URL},
		{Name: "wrong", Kind: KindVLLM, URL: other.URL},
	}})
	done := make(chan struct{})
	go func() {
		defer close(done)
		s.Run(context.Background()) // every source off: returns by itself
	}()
	<-done
	s.SampleNow(context.Background())
	s.SampleNow(context.Background())

	lines := logs.lines("resource source off")
	if len(logs.lines("resource source")) != 5 || len(lines) != 5 {
		t.Fatalf("log lines = %q, want exactly one per source (5)", logs.lines(""))
	}
	for _, want := range []string{"nvidia-smi is not installed", "rocm-smi is not installed",
		"501 Not Implemented (start llama-server with --metrics)", "404 Not Found", "none of the metrics Flywheel reads for a vllm backend"} {
		if len(logs.lines("resource source off", want)) != 1 {
			t.Errorf("no line says %q: %q", want, lines)
		}
	}
	if n := runner.count("nvidia-smi") + runner.count("rocm-smi"); n != 2 {
		t.Errorf("tools ran %d times in three rounds, want 2 (once each, then off)", n)
	}
	for _, srv := range []*backendServer{noMetrics, gone, other} {
		if n := len(srv.authSeen()); n != 1 {
			t.Errorf("%s read %d times, want once", srv.URL, n)
		}
	}
	for _, src := range s.Snapshot().Sources {
		if src.State != SourceOff {
			t.Errorf("source %s is %s, want off", src.Name, src.State)
		}
	}
}

// A GPU tool the configuration names explicitly, and that is missing, is
// worth a warning; one that auto mode merely looked for is not.
func TestMissingToolNamedByTheModeWarns(t *testing.T) {
	t.Parallel()
	s, logs, _ := newSampler(t, Options{GPU: GPUAMD, Runner: newTools(map[string]toolAnswer{"nvidia-smi": {file: "nvidia-smi/usage-two-gpu.csv"}})})
	snap := s.SampleNow(context.Background())
	if len(snap.GPUs) != 0 || len(snap.Sources) != 1 || snap.Sources[0].Name != "rocm-smi" {
		t.Errorf("gpu: amd read %+v, want rocm-smi alone", snap)
	}
	if got := logs.lines("resource source off"); len(got) != 1 || !strings.Contains(got[0], "level=WARN") {
		t.Errorf("log lines = %q, want one WARN line", got)
	}
}

// A source that fails logs one line when it starts failing and one when it
// recovers, however many rounds it fails; while it fails its numbers are
// absent, not stale.
func TestFailingSourceLogsOnceAndRecovers(t *testing.T) {
	t.Parallel()
	llama := newBackendServer(t, serveFixture(t, "llamacpp-current.txt"))
	runner := newTools(map[string]toolAnswer{"nvidia-smi": {file: "nvidia-smi/usage-two-gpu.csv"}})
	s, logs, _ := newSampler(t, Options{Runner: runner, GPU: GPUNVIDIA,
		Backends: []Backend{{Name: "llama", Kind: KindLlamaCPP, URL: llama.URL}}})
	ctx := context.Background()
	s.SampleNow(ctx)

	llama.set(status(http.StatusServiceUnavailable, `{"error":{"code":503,"message":"Loading model","type":"unavailable_error"}}`))
	runner.set("nvidia-smi", toolAnswer{err: errDriver})
	for range 4 {
		snap := s.SampleNow(ctx)
		if len(snap.GPUs) != 0 || len(snap.Backends) != 0 {
			t.Fatalf("failing round kept numbers: %+v", snap)
		}
		if _, ok := s.Backend("llama"); ok {
			t.Fatal("Backend(llama) ok while its scrape fails")
		}
		want := []SourceState{SourceFailing, SourceFailing}
		if got := []SourceState{snap.Sources[0].State, snap.Sources[1].State}; !reflect.DeepEqual(got, want) {
			t.Fatalf("states %v, want %v", got, want)
		}
	}
	if got := logs.lines("resource source failing"); len(got) != 2 ||
		len(logs.lines("failing", "source=nvidia-smi", "NVIDIA driver")) != 1 ||
		len(logs.lines("failing", `source="backend llama"`, "503 Service Unavailable")) != 1 {
		t.Errorf("failing lines = %q, want one per source", got)
	}

	llama.set(serveFixture(t, "llamacpp-current.txt"))
	runner.set("nvidia-smi", toolAnswer{file: "nvidia-smi/usage-two-gpu.csv"})
	s.SampleNow(ctx)
	snap := s.SampleNow(ctx)
	if len(snap.GPUs) != 2 || len(snap.Backends) != 1 {
		t.Errorf("recovered round: %+v", snap)
	}
	if got := logs.lines("resource source recovered"); len(got) != 2 {
		t.Errorf("recovered lines = %q, want one per source", got)
	}
	if got := logs.lines("resource source"); len(got) != 4 {
		t.Errorf("log lines = %q, want 4 in all", got)
	}
}

// Run samples at once, then once per interval on the injected clock, and
// not a moment before.
func TestRunSamplesOnTheClock(t *testing.T) {
	t.Parallel()
	vllm := newBackendServer(t, serveFixture(t, "vllm-v0.txt"))
	rounds := make(chan Snapshot, 10)
	s, _, fc := newSampler(t, Options{Runner: newTools(map[string]toolAnswer{}), Interval: 30 * time.Second,
		Backends: []Backend{{Name: "vllm", Kind: KindVLLM, URL: vllm.URL}},
		OnSample: func(snap Snapshot) { rounds <- snap }})
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() {
		defer close(done)
		s.Run(ctx)
	}()
	wctx, wcancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer wcancel()

	for i := range 3 {
		snap := <-rounds
		if want := t0.Add(time.Duration(i) * 30 * time.Second); !snap.Time.Equal(want) {
			t.Fatalf("round %d at %s, want %s", i, snap.Time, want)
		}
		if st, ok := snap.Backend("vllm"); !ok || st.KVCache != 0.0421 {
			t.Fatalf("round %d: vllm = %+v, %v", i, st, ok)
		}
		if err := fc.WaitForTimers(wctx, 1); err != nil {
			t.Fatal(err)
		}
		fc.Advance(30*time.Second - time.Nanosecond)
		if fc.PendingTimers() != 1 {
			t.Fatalf("round %d: the next round started before the interval was over", i)
		}
		fc.Advance(time.Nanosecond)
	}
	<-rounds
	cancel()
	<-done
	if n := len(vllm.authSeen()); n != 4 {
		t.Errorf("vllm read %d times, want 4", n)
	}
}

// A round that ctx ends is dropped: nothing logged, nothing stored, no
// hook called.
func TestCanceledRoundIsDropped(t *testing.T) {
	t.Parallel()
	started := make(chan struct{}, 1)
	hang := newBackendServer(t, func(_ http.ResponseWriter, r *http.Request) {
		started <- struct{}{}
		<-r.Context().Done()
	})
	hooks := 0
	s, logs, _ := newSampler(t, Options{GPU: GPUOff, OnSample: func(Snapshot) { hooks++ },
		Backends: []Backend{{Name: "llama", Kind: KindLlamaCPP, URL: hang.URL}}})
	ctx, cancel := context.WithCancel(context.Background())
	go func() {
		<-started
		cancel()
	}()
	snap := s.SampleNow(ctx)
	if !snap.Time.IsZero() || len(snap.Sources) != 0 || hooks != 0 {
		t.Errorf("canceled round returned %+v and called the hook %d times", snap, hooks)
	}
	if got := logs.lines(""); len(got) != 0 {
		t.Errorf("canceled round logged %q", got)
	}
}

// A backend that does not answer fails the round's scrape at the timeout,
// as a failure to retry, not as a missing endpoint; so does a body over
// the limit.
func TestScrapeTimeoutAndOversizedBody(t *testing.T) {
	t.Parallel()
	hang := newBackendServer(t, func(_ http.ResponseWriter, r *http.Request) { <-r.Context().Done() })
	huge := newBackendServer(t, func(w http.ResponseWriter, _ *http.Request) {
		line := []byte("# " + strings.Repeat("x", 1021) + "\n")
		for range maxMetricsBytes/len(line) + 2 {
			if _, err := w.Write(line); err != nil {
				return
			}
		}
	})
	for _, tc := range []struct {
		url     string
		timeout time.Duration
		want    string
	}{
		{hang.URL, 50 * time.Millisecond, "context deadline exceeded"},
		{huge.URL, time.Minute, "more than 8388608 bytes"},
	} {
		s, logs, _ := newSampler(t, Options{GPU: GPUOff, Timeout: tc.timeout, Backends: []Backend{{Name: "b", Kind: KindVLLM, URL: tc.url}}})
		snap := s.SampleNow(context.Background())
		if src := snap.Sources[0]; src.State != SourceFailing || !strings.Contains(src.Reason, tc.want) {
			t.Errorf("source = %+v, want failing with %q", src, tc.want)
		}
		if got := logs.lines("resource source failing"); len(got) != 1 {
			t.Errorf("log lines = %q", got)
		}
	}
}

// Backend is read on every request by routing: no lock, no allocation,
// safe while rounds run.
func TestBackendReadWhileSampling(t *testing.T) {
	t.Parallel()
	llama := newBackendServer(t, serveFixture(t, "llamacpp-b4000.txt"))
	s, _, _ := newSampler(t, Options{GPU: GPUOff, Backends: []Backend{{Name: "llama", Kind: KindLlamaCPP, URL: llama.URL}}})
	s.SampleNow(context.Background())
	var wg sync.WaitGroup
	for range 4 {
		wg.Go(func() {
			for range 200 {
				if st, ok := s.Backend("llama"); !ok || st.Waiting != 3 {
					t.Errorf("Backend(llama) = %+v, %v", st, ok)
					return
				}
			}
		})
	}
	for range 5 {
		s.SampleNow(context.Background())
	}
	wg.Wait()
}

// Not parallel: AllocsPerRun needs the test alone.
func TestBackendDoesNotAllocate(t *testing.T) {
	llama := newBackendServer(t, serveFixture(t, "llamacpp-b4000.txt"))
	s, _, _ := newSampler(t, Options{GPU: GPUOff, Backends: []Backend{{Name: "llama", Kind: KindLlamaCPP, URL: llama.URL}}})
	s.SampleNow(context.Background())
	if n := testing.AllocsPerRun(100, func() { _, _ = s.Backend("llama") }); n != 0 {
		t.Errorf("Backend allocates %v times per call, want 0", n)
	}
}

func TestNewRejectsBadOptions(t *testing.T) {
	t.Parallel()
	for _, opts := range []Options{
		{GPU: "intel"},
		{Interval: -time.Second},
		{Backends: []Backend{{Name: "a", Kind: KindVLLM}, {Name: "a", Kind: KindLlamaCPP}}},
		{Backends: []Backend{{Kind: KindVLLM}}},
	} {
		if _, err := New(opts); err == nil {
			t.Errorf("New(%+v) = nil error", opts)
		}
	}
	s, err := New(Options{})
	if err != nil {
		t.Fatal(err)
	}
	if s.Interval() != DefaultInterval || s.opts.Timeout != catalog.DefaultToolTimeout {
		t.Errorf("defaults: interval %s, timeout %s", s.Interval(), s.opts.Timeout)
	}
	if s, _ := New(Options{Interval: time.Second}); s.opts.Timeout != time.Second {
		t.Errorf("timeout %s, want the interval when it is shorter than 5s", s.opts.Timeout)
	}
}
