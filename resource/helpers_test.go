package resource

import (
	"bytes"
	"context"
	"errors"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	"github.com/flywheel-stack/flywheel/catalog"
	"github.com/flywheel-stack/flywheel/clock"
)

// tools answers nvidia-smi and rocm-smi from package catalog's recorded
// outputs (the one home of those fixtures); a tool without an answer is
// not installed. Answers can change between rounds.
type tools struct {
	mu      sync.Mutex
	answers map[string]toolAnswer // by program name
	calls   map[string]int
}

type toolAnswer struct {
	file string // under ../catalog/testdata
	err  error
}

func newTools(answers map[string]toolAnswer) *tools {
	return &tools{answers: answers, calls: map[string]int{}}
}

func (f *tools) set(name string, a toolAnswer) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.answers[name] = a
}

func (f *tools) count(name string) int {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.calls[name]
}

func (f *tools) Run(_ context.Context, name string, _ ...string) ([]byte, error) {
	f.mu.Lock()
	a, ok := f.answers[name]
	f.calls[name]++
	f.mu.Unlock()
	switch {
	case !ok:
		return nil, catalog.ErrToolNotFound
	case a.err != nil:
		return nil, a.err
	}
	return os.ReadFile(filepath.Join("..", "catalog", "testdata", a.file))
}

// logs collects a sampler's log lines.
type logs struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (l *logs) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.buf.Write(p)
}

// lines returns the lines that contain every one of words.
func (l *logs) lines(words ...string) []string {
	l.mu.Lock()
	defer l.mu.Unlock()
	var out []string
	for line := range strings.Lines(l.buf.String()) {
		all := true
		for _, w := range words {
			all = all && strings.Contains(line, w)
		}
		if all {
			out = append(out, strings.TrimSpace(line))
		}
	}
	return out
}

func (l *logs) logger() *slog.Logger {
	return slog.New(slog.NewTextHandler(l, &slog.HandlerOptions{Level: slog.LevelDebug}))
}

// backendServer serves /metrics with a handler that can change between
// rounds.
type backendServer struct {
	*httptest.Server
	mu      sync.Mutex
	handler http.HandlerFunc
	auth    []string // the Authorization headers seen
}

func newBackendServer(t *testing.T, h http.HandlerFunc) *backendServer {
	t.Helper()
	s := &backendServer{handler: h}
	s.Server = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		s.mu.Lock()
		h := s.handler
		s.auth = append(s.auth, r.Header.Get("Authorization"))
		s.mu.Unlock()
		if r.URL.Path != "/metrics" {
			http.NotFound(w, r)
			return
		}
		h(w, r)
	}))
	t.Cleanup(s.Close)
	return s
}

func (s *backendServer) set(h http.HandlerFunc) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.handler = h
}

// authSeen returns the Authorization headers of the requests so far, one
// per request.
func (s *backendServer) authSeen() []string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]string(nil), s.auth...)
}

// serveFixture answers with a recorded /metrics.
func serveFixture(t *testing.T, name string) http.HandlerFunc {
	text := fixture(t, name)
	return func(w http.ResponseWriter, _ *http.Request) {
		w.Header().Set("Content-Type", "text/plain; version=0.0.4")
		_, _ = w.Write([]byte(text))
	}
}

// status answers with code and body.
func status(code int, body string) http.HandlerFunc {
	return func(w http.ResponseWriter, _ *http.Request) {
		w.WriteHeader(code)
		_, _ = w.Write([]byte(body))
	}
}

// llamaNoMetrics is llama-server's answer on /metrics without --metrics.
var llamaNoMetrics = status(http.StatusNotImplemented,
	`{"error":{"code":501,"message":"This server does not support metrics endpoint. Start it with `+"`--metrics`"+`","type":"not_supported_error"}}`)

// newSampler returns a sampler on a fake clock at t0 whose logs are
// collected.
func newSampler(t *testing.T, opts Options) (*Sampler, *logs, *clock.Fake) {
	t.Helper()
	l := &logs{}
	fc := clock.NewFake(t0)
	opts.Clock, opts.Logger = fc, l.logger()
	s, err := New(opts)
	if err != nil {
		t.Fatal(err)
	}
	return s, l, fc
}

// errDriver is nvidia-smi's failure on a host whose driver is not loaded.
var errDriver = errors.New("nvidia-smi: exit status 9: NVIDIA-SMI has failed because it couldn't communicate with the NVIDIA driver")
