package server

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/flywheel-stack/flywheel/config"
)

// served is Serve's outcome: done is closed when Serve returns, err is
// what it returned (read it after done).
type served struct {
	done chan struct{}
	err  error
}

// wait returns Serve's error once it has returned; the test fails if that
// takes a minute (when, for the message: "after ...").
func (s *served) wait(t *testing.T, when string) error {
	t.Helper()
	select {
	case <-s.done:
		return s.err
	case <-time.After(time.Minute):
		t.Fatalf("Serve did not return %s", when)
		return nil
	}
}

// runServer serves cfgText on a loopback port with the given grace and
// returns the server, its address, a cancel that starts the shutdown (as
// SIGTERM does) and Serve's outcome.
func runServer(t *testing.T, cfgText string, grace time.Duration) (*Server, string, context.CancelFunc, *served) {
	t.Helper()
	return runServerWith(t, cfgText, Options{ShutdownGrace: grace})
}

// runServerWith is runServer with options; their Listener (a loopback
// port) and, when nil, Logger (a discarding one) are set here.
func runServerWith(t *testing.T, cfgText string, opts Options) (*Server, string, context.CancelFunc, *served) {
	t.Helper()
	cfg, err := config.Parse("flywheel.yaml", []byte(cfgText))
	if err != nil {
		t.Fatal(err)
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	opts.Listener = ln
	if opts.Logger == nil {
		opts.Logger = slog.New(slog.NewTextHandler(io.Discard, nil))
	}
	srv, err := New(cfg, opts)
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	out := &served{done: make(chan struct{})}
	go func() {
		defer close(out.done)
		out.err = srv.Serve(ctx)
	}()
	t.Cleanup(func() {
		cancel()
		select {
		case <-out.done:
		case <-time.After(time.Minute):
			t.Error("Serve did not return")
		}
	})
	return srv, ln.Addr().String(), cancel, out
}

// dialSilent opens a connection that never sends a request, and waits until
// the server has accepted it.
func dialSilent(t *testing.T, srv *Server, addr string, want int) net.Conn {
	t.Helper()
	conn, err := net.Dial("tcp", addr)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = conn.Close() })
	waitFor(t, "the server to accept the silent connection", func() bool { return srv.fresh.Len() == want })
	return conn
}

// waitClosedByServer waits until the server closes conn.
func waitClosedByServer(t *testing.T, conn net.Conn) {
	t.Helper()
	_ = conn.SetReadDeadline(time.Now().Add(30 * time.Second)) // generous: it is closed at once
	if n, err := conn.Read(make([]byte, 1)); n != 0 || !errors.Is(err, io.EOF) {
		t.Fatalf("silent connection: read %d byte(s), %v; want the server to close it (EOF)", n, err)
	}
}

// TestShutdownDoesNotWaitForSilentConnections cancels Serve while a
// connection that never sent a request is open. net/http counts such a
// connection as busy for its first 5 s; the grace here is shorter than that,
// so unless Serve closes it, Shutdown runs out of grace and Serve returns an
// error.
func TestShutdownDoesNotWaitForSilentConnections(t *testing.T) {
	srv, addr, cancel, done := runServer(t, "health: {interval: 1h}\n", 3*time.Second)
	// A keep-alive connection that served a request and went idle, too.
	client := &http.Client{Transport: &http.Transport{}}
	defer client.CloseIdleConnections()
	resp, err := client.Get("http://" + addr + "/livez")
	if err != nil {
		t.Fatal(err)
	}
	_, _ = io.Copy(io.Discard, resp.Body)
	_ = resp.Body.Close()
	silent := dialSilent(t, srv, addr, 1)

	cancel()
	if err := done.wait(t, "after its context was cancelled"); err != nil {
		t.Fatalf("Serve with only a silent and an idle connection open: %v, want nil", err)
	}
	waitClosedByServer(t, silent)
}

// TestShutdownLetsStreamFinishAndClosesSilentConnections cancels Serve
// while a stream is in flight and a silent connection is open: the silent
// one is closed at once, the stream runs to its end and Serve returns only
// after it.
func TestShutdownLetsStreamFinishAndClosesSilentConnections(t *testing.T) {
	started, release := make(chan struct{}), make(chan struct{})
	backend := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path == "/v1/models" {
			fmt.Fprint(w, `{"object":"list","data":[{"id":"m","object":"model"}]}`)
			return
		}
		w.Header().Set("Content-Type", "text/event-stream")
		chunk := func(text string) {
			fmt.Fprintf(w, "data: {\"id\":\"c\",\"object\":\"chat.completion.chunk\",\"model\":\"m\",\"choices\":[{\"index\":0,\"delta\":{\"content\":%q}}]}\n\n", text)
			w.(http.Flusher).Flush()
		}
		chunk("first ")
		close(started)
		<-release
		chunk("last")
		fmt.Fprint(w, "data: [DONE]\n\n")
	}))
	defer backend.Close()
	srv, addr, cancel, done := runServer(t, fmt.Sprintf(`
health: {interval: 1h}
backends:
  - {name: b, kind: openai, url: %q}
routes:
  - {name: chat, targets: [{backend: b, model: m}]}
`, backend.URL), time.Minute)

	body := `{"model":"chat","stream":true,"messages":[{"role":"user","content":"hi"}]}`
	resp, err := http.Post("http://"+addr+"/v1/chat/completions", "application/json", strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("stream status %d", resp.StatusCode)
	}
	<-started
	silent := dialSilent(t, srv, addr, 1)

	cancel()
	waitClosedByServer(t, silent)
	select {
	case <-done.done:
		t.Fatalf("Serve returned (%v) while a stream was in flight", done.err)
	default:
	}
	close(release)
	var got strings.Builder
	sc := bufio.NewScanner(resp.Body)
	for sc.Scan() {
		got.WriteString(sc.Text() + "\n")
	}
	if err := sc.Err(); err != nil || !strings.Contains(got.String(), `"last"`) || !strings.Contains(got.String(), "[DONE]") {
		t.Fatalf("the in-flight stream ended with %v after:\n%s", err, got.String())
	}
	if err := done.wait(t, "after the stream ended"); err != nil {
		t.Fatalf("Serve: %v", err)
	}
}

// TestShutdownGraceRunOutIsClean cancels Serve while a stream that will not
// end is in flight, with a short grace: the stream is cut once the grace has
// run out, its backend request is cancelled, and Serve returns nil (a clean
// shutdown, exit status 0), not an error.
func TestShutdownGraceRunOutIsClean(t *testing.T) {
	started, release := make(chan struct{}), make(chan struct{})
	defer close(release)
	upstreamDone := make(chan struct{})
	backend := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path != "/v1/chat/completions" {
			fmt.Fprint(w, `{"object":"list","data":[{"id":"m","object":"model"}]}`)
			return
		}
		w.Header().Set("Content-Type", "text/event-stream")
		fmt.Fprint(w, "data: {\"id\":\"c\",\"object\":\"chat.completion.chunk\",\"model\":\"m\",\"choices\":[{\"index\":0,\"delta\":{\"content\":\"x\"}}]}\n\n")
		w.(http.Flusher).Flush()
		close(started)
		select {
		case <-r.Context().Done():
			close(upstreamDone)
		case <-release:
		}
	}))
	defer backend.Close()
	_, addr, cancel, done := runServer(t, fmt.Sprintf(`
health: {interval: 1h}
backends:
  - {name: b, kind: openai, url: %q}
routes:
  - {name: chat, targets: [{backend: b, model: m}]}
`, backend.URL), 50*time.Millisecond)
	resp, err := http.Post("http://"+addr+"/v1/chat/completions", "application/json",
		strings.NewReader(`{"model":"chat","stream":true,"messages":[{"role":"user","content":"hi"}]}`))
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	<-started

	cancel()
	if err := done.wait(t, "after its grace ran out"); err != nil {
		t.Fatalf("Serve after the grace ran out on a stream: %v, want nil (a clean shutdown)", err)
	}
	select {
	case <-upstreamDone:
	case <-time.After(failAfter):
		t.Fatal("the backend request of the cut stream was not cancelled")
	}
	_, _ = io.Copy(io.Discard, resp.Body) // ends: the connection was closed
}
