package e2e

import (
	"context"
	"net"
	"net/http"
	"net/http/httptest"
	"sync/atomic"
	"testing"

	"github.com/flywheel-stack/flywheel/simulate"
)

// TestBackendConnectionsAreReused checks the connection pool from the
// backend's side: answers read to their end, streams included, leave their
// connection for the next request, and the backend sees every request
// complete rather than a client that went away.
func TestBackendConnectionsAreReused(t *testing.T) {
	t.Parallel()
	s, err := simulate.New(simulate.Config{Models: []string{"qwen2.5-coder-7b-instruct"}})
	if err != nil {
		t.Fatal(err)
	}
	var conns atomic.Int32
	hs := httptest.NewUnstartedServer(s)
	hs.Config.ConnState = func(_ net.Conn, st http.ConnState) {
		if st == http.StateNew {
			conns.Add(1)
		}
	}
	hs.Start()
	t.Cleanup(hs.Close)
	local := &sim{Server: s, url: hs.URL}
	g := startGateway(t, `
health: {interval: 1h}
backends:
  - {name: local, kind: llamacpp, url: "{local}"}
routes:
  - {name: chat, targets: [{backend: local, model: qwen2.5-coder-7b-instruct}]}
`, map[string]string{"local": local.url}, gatewayOptions{})
	settle(t, local)
	probeConns := conns.Load() // the health probe's own connection

	c := g.client()
	const n = 4
	for i := range n {
		stream := c.Chat.Completions.NewStreaming(context.Background(), chatParams("chat", "stream"))
		for stream.Next() {
		}
		if err := stream.Err(); err != nil {
			t.Fatalf("stream %d: %v", i, err)
		}
		_ = stream.Close()
		if _, err := c.Chat.Completions.New(context.Background(), chatParams("chat", "plain")); err != nil {
			t.Fatalf("request %d: %v", i, err)
		}
	}
	st := local.waitStats(t, "every answer to finish", func(st simulate.Stats) bool {
		return st.Completed+st.Cancellations == 2*n && st.InFlight == 0
	})
	if st.Completed != 2*n || st.Cancellations != 0 {
		t.Fatalf("the backend saw %d completed and %d cancelled of %d requests: the gateway dropped finished streams",
			st.Completed, st.Cancellations, 2*n)
	}
	if got := conns.Load() - probeConns; got != 1 {
		t.Fatalf("%d sequential requests used %d backend connections, want 1", 2*n, got)
	}
}
