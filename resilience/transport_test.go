package resilience_test

import (
	"bufio"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/flywheel-stack/flywheel/resilience"
)

// flaky is a test server that fails its first n requests with status.
type flaky struct {
	n, status int
	calls     atomic.Int32
	mu        sync.Mutex
	bodies    []string
}

func (f *flaky) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	body, _ := io.ReadAll(r.Body)
	f.mu.Lock()
	f.bodies = append(f.bodies, string(body))
	f.mu.Unlock()
	if int(f.calls.Add(1)) <= f.n {
		w.Header().Set("Retry-After", "0")
		w.WriteHeader(f.status)
		_, _ = io.WriteString(w, strings.Repeat("error page ", 100))
		return
	}
	_, _ = io.WriteString(w, "ok:"+string(body))
}

func fastRetry() *resilience.Retrier {
	return resilience.NewRetrier(resilience.RetryConfig{MaxAttempts: 3, BaseDelay: time.Microsecond, MaxDelay: time.Microsecond})
}

// countConns counts the TCP connections a test server accepts.
func countConns(srv *httptest.Server) *atomic.Int32 {
	var n atomic.Int32
	srv.Config.ConnState = func(_ net.Conn, s http.ConnState) {
		if s == http.StateNew {
			n.Add(1)
		}
	}
	return &n
}

func TestTransportRetriesAndReplaysBody(t *testing.T) {
	t.Parallel()
	f := &flaky{n: 2, status: 503}
	srv := httptest.NewUnstartedServer(f)
	conns := countConns(srv)
	srv.Start()
	defer srv.Close()
	reg := resilience.NewRegistry(resilience.RegistryConfig{})
	client := &http.Client{Transport: resilience.NewTransport(resilience.TransportConfig{
		Base: srv.Client().Transport, Breakers: reg, Retry: fastRetry()})}

	req, _ := http.NewRequest(http.MethodPut, srv.URL+"/doc", strings.NewReader("payload"))
	resp, err := client.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if string(body) != "ok:payload" || f.calls.Load() != 3 {
		t.Fatalf("body %q after %d calls", body, f.calls.Load())
	}
	for i, b := range f.bodies {
		if b != "payload" {
			t.Fatalf("attempt %d sent body %q", i+1, b)
		}
	}
	if n := conns.Load(); n != 1 {
		t.Fatalf("discarded responses were not drained: %d connections for 3 requests", n)
	}
	host := strings.TrimPrefix(srv.URL, "http://")
	b, ok := reg.Lookup(host)
	if !ok {
		t.Fatalf("no breaker for %s", host)
	}
	if tot := b.Snapshot().Totals; tot.Failures != 2 || tot.Successes != 1 {
		t.Fatalf("breaker totals %+v", tot)
	}
}

func TestTransportReturnsLastFailedResponse(t *testing.T) {
	t.Parallel()
	f := &flaky{n: 10, status: 502}
	srv := httptest.NewServer(f)
	defer srv.Close()
	client := &http.Client{Transport: resilience.NewTransport(resilience.TransportConfig{Base: srv.Client().Transport, Retry: fastRetry()})}
	resp, err := client.Get(srv.URL)
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != 502 || !strings.HasPrefix(string(body), "error page") || f.calls.Load() != 3 {
		t.Fatalf("got %d %q after %d calls; want the last 502 untouched after 3", resp.StatusCode, body[:10], f.calls.Load())
	}
}

func TestTransportDoesNotRetryUnsafeRequests(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name      string
		key       string
		body      io.Reader
		wantCalls int32
	}{
		{"post without idempotency key", "", strings.NewReader("x"), 1},
		{"post with idempotency key", "task-1", strings.NewReader("x"), 3},
		{"body that cannot be replayed", "task-1", io.MultiReader(strings.NewReader("x")), 1},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			f := &flaky{n: 10, status: 503}
			srv := httptest.NewServer(f)
			defer srv.Close()
			client := &http.Client{Transport: resilience.NewTransport(resilience.TransportConfig{Base: srv.Client().Transport, Retry: fastRetry()})}
			req, _ := http.NewRequest(http.MethodPost, srv.URL+"/tasks", tc.body)
			if tc.key != "" {
				req.Header.Set("Idempotency-Key", tc.key)
			}
			resp, err := client.Do(req)
			if err != nil {
				t.Fatal(err)
			}
			resp.Body.Close()
			if f.calls.Load() != tc.wantCalls {
				t.Fatalf("calls = %d, want %d", f.calls.Load(), tc.wantCalls)
			}
		})
	}
}

func TestTransportOpenBreakerRejects(t *testing.T) {
	t.Parallel()
	f := &flaky{n: 100, status: 500}
	srv := httptest.NewServer(f)
	defer srv.Close()
	reg := resilience.NewRegistry(resilience.RegistryConfig{Default: resilience.BreakerConfig{ConsecutiveFailures: 2, OpenFor: time.Hour}})
	client := &http.Client{Transport: resilience.NewTransport(resilience.TransportConfig{Base: srv.Client().Transport, Breakers: reg})}
	for range 2 {
		resp, err := client.Get(srv.URL)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
	}
	_, err := client.Get(srv.URL)
	if !resilience.IsRejected(err) {
		t.Fatalf("third call: %v, want a breaker rejection", err)
	}
	if f.calls.Load() != 2 {
		t.Fatalf("server saw %d calls, want 2", f.calls.Load())
	}
}

// TestTransportStreamOutlivesHeaderTimeout checks that the header timeout
// stops at the headers: a token stream that keeps going long after it is
// read to the end.
func TestTransportStreamOutlivesHeaderTimeout(t *testing.T) {
	t.Parallel()
	release := make(chan struct{})
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/event-stream")
		_, _ = io.WriteString(w, "data: one\n\n")
		w.(http.Flusher).Flush()
		select {
		case <-release:
		case <-r.Context().Done():
			return
		}
		_, _ = io.WriteString(w, "data: two\n\ndata: [DONE]\n\n")
	}))
	defer srv.Close()
	// Long enough that a busy machine still gets the headers in time; the
	// idle wait below passes it three times over.
	const headerTimeout = 250 * time.Millisecond
	client := &http.Client{Transport: resilience.NewTransport(resilience.TransportConfig{Base: srv.Client().Transport,
		HeaderTimeout: headerTimeout, Retry: fastRetry()})}
	resp, err := client.Get(srv.URL)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	rd := bufio.NewReader(resp.Body)
	if line, _ := rd.ReadString('\n'); line != "data: one\n" {
		t.Fatalf("first line %q", line)
	}
	// Let the header timeout pass several times over while the stream is idle.
	<-time.After(3 * headerTimeout)
	close(release)
	rest, err := io.ReadAll(rd)
	if err != nil || !strings.Contains(string(rest), "data: [DONE]") {
		t.Fatalf("stream cut: %q, %v", rest, err)
	}
}

func TestTransportHeaderTimeoutIsAFailure(t *testing.T) {
	t.Parallel()
	block := make(chan struct{})
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		select {
		case <-block:
		case <-r.Context().Done():
		}
	}))
	defer srv.Close()
	defer close(block)
	reg := resilience.NewRegistry(resilience.RegistryConfig{})
	client := &http.Client{Transport: resilience.NewTransport(resilience.TransportConfig{Base: srv.Client().Transport,
		Breakers: reg, HeaderTimeout: 10 * time.Millisecond})}
	_, err := client.Get(srv.URL)
	if err == nil || !strings.Contains(err.Error(), "timed out") {
		t.Fatalf("err = %v, want an attempt timeout", err)
	}
	b, _ := reg.Lookup(strings.TrimPrefix(srv.URL, "http://"))
	if f := b.Snapshot().Totals.Failures; f != 1 {
		t.Fatalf("failures = %d, want 1", f)
	}
}
