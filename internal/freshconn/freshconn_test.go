package freshconn

import (
	"net"
	"net/http"
	"testing"
)

func TestTrackerClosesOnlyConnectionsWithoutARequest(t *testing.T) {
	t.Parallel()
	var tr Tracker
	silent, silentPeer := net.Pipe()
	busy, busyPeer := net.Pipe()
	defer silentPeer.Close()
	defer busyPeer.Close()
	defer busy.Close()
	tr.Track(silent, http.StateNew)
	tr.Track(busy, http.StateNew)
	tr.Track(busy, http.StateActive) // it sent a request
	if n := tr.Len(); n != 1 {
		t.Fatalf("tracking %d connections, want 1", n)
	}
	tr.CloseAll()
	if _, err := silent.Write([]byte("x")); err == nil {
		t.Fatal("the silent connection is still open")
	}
	go func() { buf := make([]byte, 1); _, _ = busyPeer.Read(buf) }()
	if _, err := busy.Write([]byte("x")); err != nil {
		t.Fatalf("the busy connection was closed: %v", err)
	}
	late, latePeer := net.Pipe()
	defer latePeer.Close()
	tr.Track(late, http.StateNew)
	if _, err := late.Write([]byte("x")); err == nil {
		t.Fatal("a connection accepted after CloseAll is still open")
	}
	if n := tr.Len(); n != 0 {
		t.Fatalf("tracking %d connections after CloseAll, want 0", n)
	}
}
