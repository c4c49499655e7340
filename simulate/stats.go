package simulate

import (
	"context"
	"sync"
	"sync/atomic"
)

// Stats counts what the simulator did since it started or since
// ResetStats. Requests to /_sim/ are not counted.
type Stats struct {
	// Requests is every request to the API and /health.
	Requests int64 `json:"requests"`
	// ByPath splits Requests by path; paths the simulator does not serve
	// count as "other".
	ByPath map[string]int64 `json:"by_path"`
	// InFlight is the requests being handled now.
	InFlight int64 `json:"in_flight"`
	// Completed is the requests answered in full with 2xx: a complete
	// JSON body, or a stream through [DONE].
	Completed int64 `json:"completed"`
	// Streams is the streaming requests that started (sent headers).
	Streams int64 `json:"streams"`
	// ErrorsInjected is the requests answered with an error by error_rate.
	ErrorsInjected int64 `json:"errors_injected"`
	// LoadingRejected is the requests answered 503 "Loading model".
	LoadingRejected int64 `json:"loading_rejected"`
	// Resets is the connections closed by the reset fault.
	Resets int64 `json:"resets"`
	// Hangs is the requests held by the hang fault.
	Hangs int64 `json:"hangs"`
	// StreamsCut is the streams ended by cut_after_chunks.
	StreamsCut int64 `json:"streams_cut"`
	// BrokenAnswers is the requests answered by the broken_answer fault.
	BrokenAnswers int64 `json:"broken_answers"`
	// Cancellations is the requests whose client went away (or whose
	// server shut down) before the answer was finished: during a hang,
	// while waiting for the first token, or mid-stream.
	Cancellations int64 `json:"cancellations"`
	// BadRequests is the requests refused as malformed or invalid (4xx
	// other than injected errors).
	BadRequests int64 `json:"bad_requests"`
}

// route is a path the simulator counts separately.
type route uint8

const (
	routeChat route = iota
	routeCompletions
	routeEmbeddings
	routeModels
	routeHealth
	routeOther
	numRoutes
)

var routePaths = [numRoutes]string{
	"/v1/chat/completions", "/v1/completions", "/v1/embeddings", "/v1/models", "/health", "other",
}

// counters are the live, lock-free form of Stats.
type counters struct {
	byRoute                                                       [numRoutes]atomic.Int64
	inFlight, completed, streams, errorsInjected, loadingRejected atomic.Int64
	resets, hangs, streamsCut, cancellations, badRequests         atomic.Int64
	brokenAnswers                                                 atomic.Int64

	// waiters is the number of WaitStats calls in progress; changes are
	// broadcast only when it is positive, so the hot path pays one atomic
	// load for it.
	waiters atomic.Int32
	mu      sync.Mutex
	changed chan struct{}
}

// add increments c and wakes WaitStats callers.
func (cs *counters) add(c *atomic.Int64, d int64) {
	c.Add(d)
	if cs.waiters.Load() > 0 {
		cs.broadcast()
	}
}

func (cs *counters) broadcast() {
	cs.mu.Lock()
	if cs.changed != nil {
		close(cs.changed)
		cs.changed = nil
	}
	cs.mu.Unlock()
}

// changedChan returns a channel closed at the next change.
func (cs *counters) changedChan() <-chan struct{} {
	cs.mu.Lock()
	defer cs.mu.Unlock()
	if cs.changed == nil {
		cs.changed = make(chan struct{})
	}
	return cs.changed
}

func (cs *counters) snapshot() Stats {
	st := Stats{
		ByPath:          make(map[string]int64, numRoutes),
		InFlight:        cs.inFlight.Load(),
		Completed:       cs.completed.Load(),
		Streams:         cs.streams.Load(),
		ErrorsInjected:  cs.errorsInjected.Load(),
		LoadingRejected: cs.loadingRejected.Load(),
		Resets:          cs.resets.Load(),
		Hangs:           cs.hangs.Load(),
		StreamsCut:      cs.streamsCut.Load(),
		BrokenAnswers:   cs.brokenAnswers.Load(),
		Cancellations:   cs.cancellations.Load(),
		BadRequests:     cs.badRequests.Load(),
	}
	for i := range cs.byRoute {
		n := cs.byRoute[i].Load()
		st.ByPath[routePaths[i]] = n
		st.Requests += n
	}
	return st
}

func (cs *counters) reset() {
	for i := range cs.byRoute {
		cs.byRoute[i].Store(0)
	}
	for _, c := range []*atomic.Int64{&cs.completed, &cs.streams, &cs.errorsInjected, &cs.loadingRejected,
		&cs.resets, &cs.hangs, &cs.streamsCut, &cs.cancellations, &cs.badRequests, &cs.brokenAnswers} {
		c.Store(0)
	}
	cs.broadcast()
}

// Stats returns the counters now.
func (s *Server) Stats() Stats { return s.stats.snapshot() }

// ResetStats sets every counter except InFlight to zero.
func (s *Server) ResetStats() { s.stats.reset() }

// WaitStats blocks until cond holds for the counters, or ctx is done, and
// returns the counters it last saw. Tests use it instead of polling: for
// example, wait until Cancellations is 1 after cancelling a hung request.
func (s *Server) WaitStats(ctx context.Context, cond func(Stats) bool) (Stats, error) {
	s.stats.waiters.Add(1)
	defer s.stats.waiters.Add(-1)
	for {
		ch := s.stats.changedChan()
		st := s.stats.snapshot()
		if cond(st) {
			return st, nil
		}
		select {
		case <-ch:
		case <-ctx.Done():
			return st, ctx.Err()
		}
	}
}
