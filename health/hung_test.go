package health

import (
	"context"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"
)

// hungServer accepts TCP connections and never answers on them until
// release is called.
type hungServer struct {
	ln       net.Listener
	accepted chan struct{}
	mu       sync.Mutex
	conns    []net.Conn
	done     chan struct{}
}

func newHungServer(t *testing.T) *hungServer {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	s := &hungServer{ln: ln, accepted: make(chan struct{}, 16), done: make(chan struct{})}
	go func() {
		defer close(s.done)
		for {
			conn, err := ln.Accept()
			if err != nil {
				return
			}
			s.mu.Lock()
			s.conns = append(s.conns, conn)
			s.mu.Unlock()
			s.accepted <- struct{}{}
		}
	}()
	t.Cleanup(s.release)
	return s
}

// release closes the listener and every accepted connection.
func (s *hungServer) release() {
	_ = s.ln.Close()
	<-s.done
	s.mu.Lock()
	defer s.mu.Unlock()
	for _, c := range s.conns {
		_ = c.Close()
	}
	s.conns = nil
}

func TestHungDependency(t *testing.T) {
	t.Parallel()
	srv := newHungServer(t)
	addr := srv.ln.Addr().String()

	// "stubborn" ignores its context, as a badly written check would: it
	// blocks reading until the server closes the connection, which only the
	// test does.
	returned := make(chan struct{})
	var once sync.Once
	stubborn := func(context.Context) Result {
		defer once.Do(func() { close(returned) })
		conn, err := net.Dial("tcp", addr)
		if err != nil {
			return Failf("dial: %v", err)
		}
		defer conn.Close()
		_, err = conn.Read(make([]byte, 1))
		return Failf("read: %v", err)
	}
	const timeout = 50 * time.Millisecond
	c, _ := newChecker(t, Options{},
		Check{Name: "hung-http", Func: HTTPCheck("http://"+addr+"/", HTTPOptions{}), Timeout: timeout},
		Check{Name: "hung-raw", Func: stubborn, Timeout: timeout},
	)
	if err := c.Start(t.Context()); err != nil {
		t.Fatal(err)
	}
	defer c.Stop()
	defer srv.release() // runs before Stop, so that the stubborn check can return

	// Both checks are marked failed after their (real) 50ms timeout.
	waitFor(t, c, "both hung checks to time out", func() bool {
		for _, n := range []string{"hung-http", "hung-raw"} {
			if r, _ := c.Result(n); r.Status != StatusFail {
				return false
			}
		}
		return true
	})
	for _, n := range []string{"hung-http", "hung-raw"} {
		if r, _ := c.Result(n); !strings.HasPrefix(r.Output, "timed out after 50ms") {
			t.Errorf("%s output %q, want it to start with \"timed out after 50ms\"", n, r.Output)
		}
	}
	select {
	case <-returned:
		t.Fatal("the stubborn check returned although the server never answered")
	default:
	}

	// /readyz answers from the cache while the stubborn check is provably
	// still blocked on the server.
	answered := make(chan *httptest.ResponseRecorder, 1)
	go func() {
		rec := httptest.NewRecorder()
		c.Handler().ServeHTTP(rec, httptest.NewRequest(http.MethodGet, "/readyz?verbose", nil))
		answered <- rec
	}()
	select {
	case rec := <-answered:
		if rec.Code != http.StatusServiceUnavailable ||
			!strings.Contains(rec.Body.String(), "[-]hung-raw failed: timed out after 50ms") {
			t.Errorf("GET /readyz?verbose = %d %q", rec.Code, rec.Body)
		}
	case <-time.After(5 * time.Second): // generous: a cached answer takes microseconds
		t.Fatal("/readyz did not answer while a check was hung")
	}
	select {
	case <-returned:
		t.Fatal("the stubborn check returned before the server released it")
	default:
	}
	if len(srv.accepted) < 2 {
		t.Errorf("server accepted %d connections, want one per check", len(srv.accepted))
	}
}
