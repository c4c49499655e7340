package simulate

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/http"
	"sync"
	"time"

	"github.com/flywheel-stack/flywheel/internal/freshconn"
)

// shutdownGrace bounds the shutdown that follows the end of Listen's ctx.
const shutdownGrace = 5 * time.Second

// Listen serves s on addr ("127.0.0.1:0" picks a free port) in the
// background and returns its base URL ("http://127.0.0.1:PORT") and a
// function that stops it. Stopping first ends every request in progress
// (hung requests, paced answers and streams end as cancellations), then
// waits, up to the deadline of the ctx it is given, for connections to
// close, and closes what remains. It is safe to call more than once. The
// server also stops when ctx ends.
func (s *Server) Listen(ctx context.Context, addr string) (string, func(context.Context) error, error) {
	var lc net.ListenConfig
	ln, err := lc.Listen(ctx, "tcp", addr)
	if err != nil {
		return "", nil, fmt.Errorf("simulate: listen on %s: %w", addr, err)
	}
	base, cancel := context.WithCancel(context.WithoutCancel(ctx))
	fresh := &freshconn.Tracker{}
	hs := &http.Server{
		Handler:           s,
		ReadHeaderTimeout: 10 * time.Second,
		BaseContext:       func(net.Listener) context.Context { return base },
		ConnState:         fresh.Track,
	}
	served := make(chan error, 1)
	go func() { served <- hs.Serve(ln) }()

	var (
		once    sync.Once
		stopErr error
		stopped = make(chan struct{})
	)
	shutdown := func(sctx context.Context) error {
		once.Do(func() {
			close(stopped)
			cancel()
			fresh.CloseAll()
			err := hs.Shutdown(sctx)
			if err != nil {
				err = errors.Join(fmt.Errorf("simulate: shutdown: %w", err), hs.Close())
			}
			if serr := <-served; serr != nil && !errors.Is(serr, http.ErrServerClosed) {
				err = errors.Join(err, fmt.Errorf("simulate: serve: %w", serr))
			}
			stopErr = err
		})
		return stopErr
	}
	// Stop when ctx ends, unless shutdown came first.
	go func() {
		select {
		case <-ctx.Done():
			sctx, done := context.WithTimeout(context.Background(), shutdownGrace)
			defer done()
			_ = shutdown(sctx)
		case <-stopped:
		}
	}()
	return "http://" + ln.Addr().String(), shutdown, nil
}

// Start builds a Server from cfg and serves it on addr, as Listen does. Use
// New and Listen instead when the test or program needs the *Server (to
// change faults or read counters without HTTP).
func Start(ctx context.Context, addr string, cfg Config) (string, func(context.Context) error, error) {
	s, err := New(cfg)
	if err != nil {
		return "", nil, err
	}
	return s.Listen(ctx, addr)
}
