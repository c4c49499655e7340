package gateway

import (
	"context"
	"sync"
)

// CloseStreams ends every stream the gateway is relaying: each gets an SSE
// error event (code "server_shutdown") and no [DONE], so that its client
// knows the answer is incomplete, and its backend request is cancelled. A
// stream that would start afterwards ends the same way at once. It returns
// when the streams have ended, or with ctx's error when ctx ends first (a
// stream whose client does not read ends at its write deadline).
//
// A server calls it when its shutdown grace runs out, before it closes the
// connections that are left.
func (g *Gateway) CloseStreams(ctx context.Context) error {
	drained := g.open.closeAll()
	select {
	case <-drained:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}

// openStreams are the streams being relayed. Its zero value is ready to
// use.
type openStreams struct {
	mu      sync.Mutex
	set     map[*upstream]struct{}
	closing bool
	drained chan struct{} // made by closeAll, closed when set is empty
	emptied bool          // drained is closed
}

// add registers a stream; it reports false when the gateway is shutting
// down, and the stream must end at once.
func (s *openStreams) add(up *upstream) bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.closing {
		return false
	}
	if s.set == nil {
		s.set = map[*upstream]struct{}{}
	}
	s.set[up] = struct{}{}
	return true
}

// remove forgets a stream that has ended.
func (s *openStreams) remove(up *upstream) {
	s.mu.Lock()
	defer s.mu.Unlock()
	delete(s.set, up)
	s.drainedLocked()
}

// closeAll cancels every stream's upstream request with ErrShuttingDown and
// returns a channel closed once they have all ended.
func (s *openStreams) closeAll() <-chan struct{} {
	s.mu.Lock()
	defer s.mu.Unlock()
	if !s.closing {
		s.closing, s.drained = true, make(chan struct{})
		for up := range s.set {
			up.cancel(ErrShuttingDown)
		}
		s.drainedLocked()
	}
	return s.drained
}

func (s *openStreams) drainedLocked() {
	if s.closing && len(s.set) == 0 && !s.emptied {
		s.emptied = true
		close(s.drained)
	}
}
