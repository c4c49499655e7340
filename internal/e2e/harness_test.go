package e2e

import (
	"cmp"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/flywheel-stack/flywheel/clock"
	"github.com/flywheel-stack/flywheel/config"
	"github.com/flywheel-stack/flywheel/internal/server"
	"github.com/flywheel-stack/flywheel/resilience"
	"github.com/flywheel-stack/flywheel/simulate"
	"github.com/flywheel-stack/flywheel/telemetry"
	"github.com/openai/openai-go/v3"
	"github.com/openai/openai-go/v3/option"
)

// waitLimit bounds every condition wait of these tests: far above what any
// step needs, so that only a real hang fails a test.
const waitLimit = 10 * time.Second

// sim is a simulator serving on a loopback port for the rest of a test.
type sim struct {
	*simulate.Server
	url  string
	addr string
	stop func(context.Context) error
}

// startSim serves a simulator for cfg on addr ("127.0.0.1:0" for any free
// port) until the test ends or stopSim is called.
func startSim(t *testing.T, addr string, cfg simulate.Config) *sim {
	t.Helper()
	s, err := simulate.New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	url, stop, err := s.Listen(context.Background(), addr)
	if err != nil {
		t.Fatal(err)
	}
	sm := &sim{Server: s, url: url, addr: strings.TrimPrefix(url, "http://"), stop: stop}
	t.Cleanup(sm.shutdown)
	return sm
}

// shutdown stops the simulator: its port refuses connections afterwards.
func (s *sim) shutdown() {
	ctx, cancel := context.WithTimeout(context.Background(), waitLimit)
	defer cancel()
	_ = s.stop(ctx)
}

// waitStats waits for cond on the simulator's counters, failing the test
// after waitLimit.
func (s *sim) waitStats(t *testing.T, what string, cond func(simulate.Stats) bool) simulate.Stats {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), waitLimit)
	defer cancel()
	st, err := s.WaitStats(ctx, cond)
	if err != nil {
		t.Fatalf("simulator %s: waiting for %s: %v (stats %+v)", s.url, what, err, st)
	}
	return st
}

// settle waits until the gateway's first health probe of each simulator
// (llama.cpp's /health, an OpenAI API's /v1/models) has been answered, then
// zeroes the counters, so that a test's faults and assertions concern its
// own requests only. The test configs probe once an hour, so no other probe
// comes during a test.
func settle(t *testing.T, sims ...*sim) {
	t.Helper()
	for _, s := range sims {
		// Completed counts the probe once its answer is written (the path
		// counters move when it arrives, too early).
		s.waitStats(t, "the first health probe", func(st simulate.Stats) bool {
			return st.ByPath["/health"]+st.ByPath["/v1/models"] >= 1 && st.Completed >= 1 && st.InFlight == 0
		})
		s.ResetStats()
	}
}

// gateway is `flywheel serve` (internal/server) running on a loopback port
// for the rest of a test.
type gateway struct {
	srv  *server.Server
	url  string
	sink *telemetry.Memory
	clk  *clock.Fake // nil: the real clock
	// shutdown stops the server as SIGTERM does (graceful, in-flight
	// requests finish) and returns what Serve returned.
	shutdown func() error
	serveErr error
	// hc is every client's HTTP client; its idle connections are closed
	// when the test ends.
	hc *http.Client

	mu          sync.Mutex
	transitions []resilience.Transition
}

// gatewayOptions are the knobs a test sets on the gateway.
type gatewayOptions struct {
	env  map[string]string
	fake bool // run the gateway on a fake clock (breakers, Retry-After, timeouts)
	// grace is the shutdown grace; 0: waitLimit.
	grace time.Duration
}

// startGateway parses yaml, in which {name} is replaced by the URL of the
// simulator of that name, and serves the assembled server until the test
// ends.
func startGateway(t *testing.T, yaml string, sims map[string]string, o gatewayOptions) *gateway {
	t.Helper()
	for name, url := range sims {
		yaml = strings.ReplaceAll(yaml, "{"+name+"}", url)
	}
	cfg, err := config.Parse("flywheel.yaml", []byte(yaml))
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(yaml, "resources:") {
		// The tests count every request a simulator gets: the resource
		// sampler's scrapes of /metrics would be among them, and no GPU
		// tool is run either.
		cfg.Resources.BackendMetrics, cfg.Resources.GPU = false, "off"
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	g := &gateway{url: "http://" + ln.Addr().String(), sink: telemetry.NewMemory(),
		hc: &http.Client{Transport: http.DefaultTransport.(*http.Transport).Clone()}}
	opts := server.Options{
		Listener: ln, Logger: slog.New(slog.NewTextHandler(io.Discard, nil)), Sinks: []telemetry.Sink{g.sink},
		Getenv: func(k string) string { return o.env[k] }, ShutdownGrace: cmp.Or(o.grace, waitLimit),
		OnBreakerChange: g.recordTransition,
	}
	if o.fake {
		g.clk = clock.NewFake(time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC))
		opts.Clock = g.clk
	}
	g.srv, err = server.New(cfg, opts)
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- g.srv.Serve(ctx) }()
	var once sync.Once
	g.shutdown = func() error {
		once.Do(func() {
			cancel() // what SIGTERM does to `flywheel serve`
			g.serveErr = <-done
			for _, b := range g.srv.Gateway().Backends() {
				if tr, ok := b.Client.Transport.(interface{ CloseIdleConnections() }); ok {
					tr.CloseIdleConnections()
				}
			}
		})
		return g.serveErr
	}
	t.Cleanup(func() {
		if err := g.shutdown(); err != nil {
			t.Errorf("serve: %v", err)
		}
		g.hc.CloseIdleConnections()
	})
	return g
}

func (g *gateway) recordTransition(tr resilience.Transition) {
	g.mu.Lock()
	defer g.mu.Unlock()
	g.transitions = append(g.transitions, tr)
}

// transitionsOf returns the states breaker key went through, as
// "from>to" strings.
func (g *gateway) transitionsOf(key string) []string {
	g.mu.Lock()
	defer g.mu.Unlock()
	var out []string
	for _, tr := range g.transitions {
		if tr.Breaker == key {
			out = append(out, tr.From.String()+">"+tr.To.String())
		}
	}
	return out
}

// client returns an OpenAI client pointed at the gateway. The client's own
// retries are off, so that what a test sees is what the gateway did.
func (g *gateway) client(opts ...option.RequestOption) *openai.Client {
	c := openai.NewClient(append([]option.RequestOption{
		option.WithBaseURL(g.url + "/v1/"), option.WithAPIKey("client-key"), option.WithMaxRetries(0), option.WithHTTPClient(g.hc),
	}, opts...)...)
	return &c
}

// breaker returns the snapshot of breaker key.
func (g *gateway) breaker(key string) resilience.Snapshot {
	return g.srv.Gateway().Breakers().Get(key).Snapshot()
}

// event waits for the n-th telemetry event (1-based).
func (g *gateway) event(t *testing.T, n int) telemetry.Event {
	t.Helper()
	deadline := time.After(waitLimit)
	for {
		ch := g.sink.Changed()
		if evs := g.sink.Events(); len(evs) >= n {
			return evs[n-1]
		}
		select {
		case <-ch:
		case <-deadline:
			t.Fatalf("no telemetry event %d", n)
		}
	}
}

// adminBreakers reads GET /admin/v1/breakers with the admin token.
func (g *gateway) adminBreakers(t *testing.T, token string) map[string]breakerView {
	t.Helper()
	code, body := g.do(t, http.MethodGet, "/admin/v1/breakers", "", "Authorization", "Bearer "+token)
	if code != http.StatusOK {
		t.Fatalf("GET /admin/v1/breakers: %d %s", code, body)
	}
	var list struct{ Breakers []breakerView }
	if err := json.Unmarshal([]byte(body), &list); err != nil {
		t.Fatalf("GET /admin/v1/breakers: %v: %s", err, body)
	}
	out := map[string]breakerView{}
	for _, b := range list.Breakers {
		out[b.Key] = b
	}
	return out
}

// breakerView is a breaker as GET /admin/v1/breakers shows it.
type breakerView struct {
	Key       string
	State     string
	OpenUntil *time.Time `json:"open_until"`
	Totals    struct{ Successes, Failures, Ignored, Rejected uint64 }
}

// metric returns the first /metrics line that starts with prefix.
func (g *gateway) metric(t *testing.T, prefix string) string {
	t.Helper()
	_, body := g.do(t, http.MethodGet, "/metrics", "")
	for line := range strings.SplitSeq(body, "\n") {
		if strings.HasPrefix(line, prefix) {
			return line
		}
	}
	return ""
}

// do sends a plain HTTP request to the gateway and returns the status and
// body.
func (g *gateway) do(t *testing.T, method, path, body string, hdr ...string) (int, string) {
	t.Helper()
	code, _, data := g.doHeaders(t, method, path, body, hdr...)
	return code, data
}

// doHeaders is do that also returns the response headers.
func (g *gateway) doHeaders(t *testing.T, method, path, body string, hdr ...string) (int, http.Header, string) {
	t.Helper()
	req, err := http.NewRequest(method, g.url+path, strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	if body != "" {
		req.Header.Set("Content-Type", "application/json")
	}
	for i := 0; i+1 < len(hdr); i += 2 {
		req.Header.Set(hdr[i], hdr[i+1])
	}
	resp, err := g.hc.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	data, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	return resp.StatusCode, resp.Header, string(data)
}

// apiError returns err as the OpenAI client's error type, failing the test
// when it is not one.
func apiError(t *testing.T, err error) *openai.Error {
	t.Helper()
	var e *openai.Error
	if !errors.As(err, &e) {
		t.Fatalf("want an OpenAI API error, got %T: %v", err, err)
	}
	return e
}

// chatParams is a one-message chat request for model.
func chatParams(model, prompt string) openai.ChatCompletionNewParams {
	return openai.ChatCompletionNewParams{
		Model:    model,
		Messages: []openai.ChatCompletionMessageParamUnion{openai.UserMessage(prompt)},
	}
}

// expectedChat is the simulator's answer to chatParams(_, prompt).
func expectedChat(prompt string) (string, int) {
	return simulate.ChatAnswer(0, simulate.Message{Role: "user", Content: prompt})
}

func headersOf(resp *http.Response) string {
	if resp == nil {
		return "<no response>"
	}
	return fmt.Sprintf("backend=%q attempts=%q id=%q degraded=%q", resp.Header.Get("X-Flywheel-Backend"),
		resp.Header.Get("X-Flywheel-Attempts"), resp.Header.Get("X-Flywheel-Inference-Id"), resp.Header.Get("X-Flywheel-Degraded"))
}
