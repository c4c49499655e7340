package server

import (
	"bytes"
	"context"
	"log/slog"
	"net"
	"strings"
	"sync"
	"testing"

	"github.com/flywheel-stack/flywheel/config"
)

// syncBuffer is a bytes.Buffer safe for concurrent writers.
type syncBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *syncBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *syncBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}

// TestRedisDialErrorsGoToTheServerLog checks that go-redis's own line about
// a failed dial reaches the server's structured log at debug level instead
// of the standard logger's stderr.
func TestRedisDialErrorsGoToTheServerLog(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	closed := ln.Addr().String()
	_ = ln.Close() // nothing listens there any more: dials are refused
	cfg, err := config.Parse("flywheel.yaml", []byte("health: {interval: 1h}\ndependencies:\n  - {name: cache, kind: redis, addr: \""+closed+"\", critical: false}\n"))
	if err != nil {
		t.Fatal(err)
	}
	var logs syncBuffer
	logger := slog.New(slog.NewTextHandler(&logs, &slog.HandlerOptions{Level: slog.LevelDebug}))
	srv, err := New(cfg, Options{Logger: logger})
	if err != nil {
		t.Fatal(err)
	}
	if err := srv.Health.Start(context.Background()); err != nil {
		t.Fatal(err)
	}
	defer srv.Health.Stop()
	waitFor(t, "go-redis's dial error in the server log", func() bool {
		return strings.Contains(logs.String(), "component=go-redis")
	})
	for _, line := range strings.Split(logs.String(), "\n") {
		if strings.Contains(line, "component=go-redis") && (!strings.Contains(line, "level=DEBUG") || !strings.Contains(line, "failed to dial")) {
			t.Errorf("go-redis line %q, want a debug line about the failed dial", line)
		}
	}
}
