package gateway

import (
	"bytes"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/flywheel-stack/flywheel/clock"
	"github.com/flywheel-stack/flywheel/config"
	"github.com/flywheel-stack/flywheel/telemetry"
)

// fakeBackend is a minimal OpenAI-compatible server whose behaviour a test
// scripts per request.
type fakeBackend struct {
	srv     *httptest.Server
	handler atomic.Value // func(w, r, body)
	calls   atomic.Int32

	mu     sync.Mutex
	bodies []string
	auth   []string
	cancel chan struct{}
}

func newFakeBackend(t testing.TB) *fakeBackend {
	f := &fakeBackend{cancel: make(chan struct{}, 16)}
	f.answer(okAnswer("hello"))
	f.srv = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		f.calls.Add(1)
		f.mu.Lock()
		f.bodies = append(f.bodies, string(body))
		f.auth = append(f.auth, r.Header.Get("Authorization"))
		f.mu.Unlock()
		f.handler.Load().(func(http.ResponseWriter, *http.Request, []byte))(w, r, body)
	}))
	t.Cleanup(f.srv.Close)
	return f
}

func (f *fakeBackend) answer(h func(http.ResponseWriter, *http.Request, []byte)) { f.handler.Store(h) }

func (f *fakeBackend) lastBody() string {
	f.mu.Lock()
	defer f.mu.Unlock()
	if len(f.bodies) == 0 {
		return ""
	}
	return f.bodies[len(f.bodies)-1]
}

func okAnswer(text string) func(http.ResponseWriter, *http.Request, []byte) {
	return func(w http.ResponseWriter, _ *http.Request, _ []byte) {
		w.Header().Set("Content-Type", "application/json")
		fmt.Fprintf(w, `{"id":"chatcmpl-1","object":"chat.completion","choices":[{"index":0,"message":{"role":"assistant","content":%q},"finish_reason":"stop"}],"usage":{"prompt_tokens":7,"completion_tokens":3,"total_tokens":10}}`, text)
	}
}

func statusAnswer(code int, retryAfter string) func(http.ResponseWriter, *http.Request, []byte) {
	return func(w http.ResponseWriter, _ *http.Request, _ []byte) {
		if retryAfter != "" {
			w.Header().Set("Retry-After", retryAfter)
		}
		http.Error(w, `{"error":{"message":"nope"}}`, code)
	}
}

// streamAnswer sends n content chunks, a usage chunk when asked for, and
// [DONE] unless cutAfter >= 0 cuts the stream after that many chunks.
func streamAnswer(n, cutAfter int) func(http.ResponseWriter, *http.Request, []byte) {
	return func(w http.ResponseWriter, r *http.Request, body []byte) {
		w.Header().Set("Content-Type", "text/event-stream")
		fl := w.(http.Flusher)
		for i := range n {
			if i == cutAfter {
				conn, _, _ := http.NewResponseController(w).Hijack()
				_ = conn.Close()
				return
			}
			fmt.Fprintf(w, "data: {\"object\":\"chat.completion.chunk\",\"choices\":[{\"index\":0,\"delta\":{\"content\":\"w%d \"}}]}\n\n", i)
			fl.Flush()
		}
		if bytes.Contains(body, []byte(`"include_usage":true`)) {
			fmt.Fprint(w, "data: {\"object\":\"chat.completion.chunk\",\"choices\":[],\"usage\":{\"prompt_tokens\":5,\"completion_tokens\":"+fmt.Sprint(n)+",\"total_tokens\":9}}\n\n")
		}
		fmt.Fprint(w, "data: [DONE]\n\n")
	}
}

// hangAnswer never answers until the client goes away, then reports it.
func (f *fakeBackend) hangAnswer() func(http.ResponseWriter, *http.Request, []byte) {
	return func(w http.ResponseWriter, r *http.Request, _ []byte) {
		<-r.Context().Done()
		f.cancel <- struct{}{}
	}
}

type harness struct {
	gw   *Gateway
	srv  *httptest.Server
	sink *telemetry.Memory
}

// newHarness builds a gateway from a YAML config in which {a} and {b} are
// replaced by the fake backends' URLs.
func newHarness(t testing.TB, yaml string, env map[string]string, backends ...*fakeBackend) *harness {
	t.Helper()
	return newHarnessOn(t, nil, yaml, env, backends...)
}

// newHarnessOn is newHarness with the gateway on clk (nil: the real clock).
func newHarnessOn(t testing.TB, clk clock.Clock, yaml string, env map[string]string, backends ...*fakeBackend) *harness {
	t.Helper()
	for i, b := range backends {
		yaml = strings.ReplaceAll(yaml, fmt.Sprintf("{%c}", 'a'+i), b.srv.URL)
	}
	cfg, err := config.Parse("flywheel.yaml", []byte(yaml))
	if err != nil {
		t.Fatal(err)
	}
	sink := telemetry.NewMemory()
	gw, err := New(Options{Config: cfg, Sink: sink, Logger: slog.New(slog.NewTextHandler(io.Discard, nil)),
		Getenv: func(k string) string { return env[k] }, Clock: clk})
	if err != nil {
		t.Fatal(err)
	}
	mux := http.NewServeMux()
	gw.Register(mux)
	srv := httptest.NewServer(mux)
	t.Cleanup(srv.Close)
	return &harness{gw: gw, srv: srv, sink: sink}
}

func (h *harness) post(t *testing.T, path, body string, hdr ...string) (*http.Response, string) {
	t.Helper()
	req, _ := http.NewRequest(http.MethodPost, h.srv.URL+path, strings.NewReader(body))
	req.Header.Set("Content-Type", "application/json")
	for i := 0; i+1 < len(hdr); i += 2 {
		req.Header.Set(hdr[i], hdr[i+1])
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	data, _ := io.ReadAll(resp.Body)
	return resp, string(data)
}

// lastEvent waits for the telemetry event of the request that just ended.
func (h *harness) lastEvent(t *testing.T, n int) telemetry.Event {
	t.Helper()
	deadline := time.After(5 * time.Second)
	for {
		ch := h.sink.Changed()
		if evs := h.sink.Events(); len(evs) >= n {
			return evs[n-1]
		}
		select {
		case <-ch:
		case <-deadline:
			t.Fatalf("no telemetry event %d", n)
		}
	}
}

const twoTargets = `
backends:
  - name: local
    kind: llamacpp
    url: {a}
    retry: {preset: llm_inference, base_delay: 1ms, max_delay: 2ms}
    breaker: {consecutive_failures: 3, open_for: 1h}
  - name: remote
    kind: openai
    url: {b}
    api_key_env: REMOTE_KEY
    retry: {preset: external_api, base_delay: 1ms, max_delay: 2ms}
routes:
  - name: coder
    targets:
      - {backend: local, model: qwen2.5-coder-7b}
      - {backend: remote, model: gpt-4o-mini}
`
