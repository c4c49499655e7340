// Package freshconn closes, at shutdown, the HTTP connections that have not
// sent a request yet.
//
// http.Server.Shutdown treats such a connection as busy for its first 5 s (a
// client's transport often dials one it then leaves unused, and a probe may
// connect without writing), so a shutdown would wait for it even with
// nothing in flight. Connections with a request in flight, streams
// included, are left alone to finish within the caller's grace period.
package freshconn

import (
	"net"
	"net/http"
	"sync"
)

// Tracker tracks the connections of one http.Server that have not sent a
// request yet. Its zero value is ready to use.
type Tracker struct {
	mu      sync.Mutex
	conns   map[net.Conn]struct{}
	closing bool
}

// Track is the http.Server's ConnState hook.
func (t *Tracker) Track(c net.Conn, st http.ConnState) {
	t.mu.Lock()
	defer t.mu.Unlock()
	switch {
	case st == http.StateNew && t.closing:
		_ = c.Close()
	case st == http.StateNew:
		if t.conns == nil {
			t.conns = map[net.Conn]struct{}{}
		}
		t.conns[c] = struct{}{}
	default:
		delete(t.conns, c)
	}
}

// CloseAll closes the connections without a request, now and any that
// arrive from now on. Call it when shutdown starts.
func (t *Tracker) CloseAll() {
	t.mu.Lock()
	defer t.mu.Unlock()
	t.closing = true
	for c := range t.conns {
		_ = c.Close()
	}
	clear(t.conns)
}

// Len is the number of connections tracked now: accepted, and no request
// sent yet.
func (t *Tracker) Len() int {
	t.mu.Lock()
	defer t.mu.Unlock()
	return len(t.conns)
}
