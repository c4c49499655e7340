package server

import (
	"net"
	"net/http"
	"sync"
)

// freshConns tracks the connections that have not sent a request yet.
// http.Server.Shutdown treats such a connection as busy for its first 5 s (a
// client's transport often dials one it then leaves unused, and a probe may
// connect without writing), so SIGTERM would wait for it even with nothing
// in flight. Serve closes them when shutdown starts, and closes any that
// arrive afterwards; connections with a request in flight, streams included,
// are left to finish within the grace period.
type freshConns struct {
	mu      sync.Mutex
	conns   map[net.Conn]struct{}
	closing bool
}

func newFreshConns() *freshConns {
	return &freshConns{conns: map[net.Conn]struct{}{}}
}

// track is the http.Server's ConnState hook.
func (f *freshConns) track(c net.Conn, st http.ConnState) {
	f.mu.Lock()
	defer f.mu.Unlock()
	switch {
	case st == http.StateNew && f.closing:
		_ = c.Close()
	case st == http.StateNew:
		f.conns[c] = struct{}{}
	default:
		delete(f.conns, c)
	}
}

// closeAll closes the connections without a request, now and from now on.
func (f *freshConns) closeAll() {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.closing = true
	for c := range f.conns {
		_ = c.Close()
	}
	clear(f.conns)
}

// count returns how many connections have not sent a request yet.
func (f *freshConns) count() int {
	f.mu.Lock()
	defer f.mu.Unlock()
	return len(f.conns)
}
