package health

import (
	"context"
	"fmt"
	"log/slog"
	"net/http"
	"slices"
	"sync"
	"sync/atomic"
	"time"

	"github.com/flywheel-stack/flywheel/clock"
)

// Options configures a Checker. The zero value is ready to use.
type Options struct {
	// Clock schedules runs, stamps results and drives the heartbeat; nil
	// means the wall clock.
	Clock clock.Clock
	// Interval is the default interval of checks and of the heartbeat;
	// zero means DefaultInterval.
	Interval time.Duration
	// HeartbeatTimeout is how long the background loop may go without a
	// tick before liveness fails; zero means three intervals.
	HeartbeatTimeout time.Duration
	// Listener is told about every status change; nil means
	// SlogListener(Logger).
	Listener Listener
	// Logger is used by the default listener; nil means slog.Default().
	Logger *slog.Logger
	// ServiceID, Version, ReleaseID and Description fill the fields of the
	// same names in the /healthz report.
	ServiceID, Version, ReleaseID, Description string
	// Performance configures the host performance probe.
	Performance PerfOptions
	// ShowDetails decides whether a request to the probes or /healthz
	// sees the checks' outputs: the reasons, which can name database
	// users, hosts and file paths. A request it refuses sees every check's
	// name and status, "details withheld" in place of a reason, and no
	// text measurement. nil shows the details to every request;
	// BearerToken shows them to the holder of a token.
	ShowDetails func(*http.Request) bool
}

// Checker runs checks in the background and serves their cached results. It
// is safe for concurrent use. Create it with New, add checks before Start,
// and call Stop when done.
type Checker struct {
	opts     Options
	clock    clock.Clock
	listener Listener

	mu      sync.Mutex // guards the fields below and serialises updates
	defs    []*checkDef
	started bool
	cancel  context.CancelFunc
	notify  chan struct{} // closed and replaced on every update

	wg   sync.WaitGroup
	snap atomic.Pointer[snapshot]
	beat atomic.Int64               // Unix nanoseconds of the last heartbeat; 0 before Start
	perf atomic.Pointer[PerfSample] // the performance probe's last sample
}

// New returns a Checker holding checks and, when opts.Performance has a
// Sampler, the performance probe.
func New(opts Options, checks ...Check) (*Checker, error) {
	if opts.Interval <= 0 {
		opts.Interval = DefaultInterval
	}
	if opts.HeartbeatTimeout <= 0 {
		opts.HeartbeatTimeout = 3 * opts.Interval
	}
	if opts.Logger == nil {
		opts.Logger = slog.Default()
	}
	c := &Checker{opts: opts, clock: clock.OrReal(opts.Clock), listener: opts.Listener, notify: make(chan struct{})}
	if c.listener == nil {
		c.listener = SlogListener(opts.Logger)
	}
	c.snap.Store(newSnapshot(nil, map[string]int{}, false))
	if !opts.Performance.Disabled && opts.Performance.Sampler != nil {
		checks = append(checks, perfCheck(opts.Performance, opts.Interval, func(s PerfSample) { c.perf.Store(&s) }))
	}
	for _, ch := range checks {
		if err := c.Add(ch); err != nil {
			return nil, err
		}
	}
	return c, nil
}

// Add registers a check. It must be called before Start.
func (c *Checker) Add(ch Check) error {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.started {
		return fmt.Errorf("%w: cannot add check %q", ErrStarted, ch.Name)
	}
	d, err := newCheckDef(ch, c.opts.Interval)
	if err != nil {
		return err
	}
	old := c.snap.Load()
	if _, dup := old.index[d.Name]; dup || d.Name == HeartbeatName {
		return fmt.Errorf("%w %q: name already in use", ErrInvalidCheck, d.Name)
	}
	d.idx = len(c.defs)
	c.defs = append(c.defs, d)
	index := make(map[string]int, len(old.index)+1)
	for k, v := range old.index {
		index[k] = v
	}
	index[d.Name] = d.idx
	results := append(slices.Clone(old.results), pendingResult(d))
	c.publishLocked(newSnapshot(results, index, false))
	return nil
}

// Start runs every check once at once and then at its interval, and starts
// the heartbeat, all in the background until ctx is done or Stop is called.
// It does not wait for the first results.
func (c *Checker) Start(ctx context.Context) error {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.started {
		return ErrStarted
	}
	c.started = true
	ctx, c.cancel = context.WithCancel(ctx)
	c.beat.Store(c.clock.Now().UnixNano())
	c.wg.Add(len(c.defs) + 1)
	for _, d := range c.defs {
		go c.loop(ctx, d)
	}
	go c.heartbeatLoop(ctx)
	return nil
}

// Stop cancels the background work and waits for it, in-flight checks
// included: a check that ignores its context delays Stop until it returns.
// Stop is safe to call more than once and before Start.
func (c *Checker) Stop() {
	c.mu.Lock()
	cancel := c.cancel
	c.mu.Unlock()
	if cancel != nil {
		cancel()
	}
	c.wg.Wait()
}

// Run starts the checker and blocks until ctx is done, then stops it.
func (c *Checker) Run(ctx context.Context) error {
	if err := c.Start(ctx); err != nil {
		return err
	}
	<-ctx.Done()
	c.Stop()
	return nil
}

// Status returns the cached status of one probe kind (Liveness, Readiness or
// Startup).
func (c *Checker) Status(kind Kind) Status {
	s := c.snap.Load()
	switch kind {
	case Liveness:
		return worst(c.heartbeatStatus(c.clock.Now()), s.live)
	case Readiness:
		return s.ready
	case Startup:
		return s.startup
	}
	return StatusFail
}

// Score returns the composite score: the weighted share of passing
// readiness checks, warn counting half, from 0 to 100.
func (c *Checker) Score() float64 { return c.snap.Load().score }

// Results returns the cached result of every check, the heartbeat first.
func (c *Checker) Results() []CheckResult {
	s := c.snap.Load()
	out := make([]CheckResult, 0, len(s.results)+1)
	out = append(out, c.heartbeat(c.clock.Now()))
	return append(out, s.results...)
}

// Result returns the cached result of the named check ("heartbeat"
// included).
func (c *Checker) Result(name string) (CheckResult, bool) {
	if name == HeartbeatName {
		return c.heartbeat(c.clock.Now()), true
	}
	s := c.snap.Load()
	i, ok := s.index[name]
	if !ok {
		return CheckResult{}, false
	}
	return s.results[i], true
}

// PerfSample returns the last sample of the performance probe; ok is false
// before its first run or without the probe. A host value that could not
// be read is NaN.
func (c *Checker) PerfSample() (s PerfSample, ok bool) {
	if p := c.perf.Load(); p != nil {
		return *p, true
	}
	return PerfSample{}, false
}

// publishLocked stores s and wakes whoever waits for an update. c.mu must be
// held.
func (c *Checker) publishLocked(s *snapshot) {
	c.snap.Store(s)
	close(c.notify)
	c.notify = make(chan struct{})
}

// updated returns a channel closed at the next update of the cached state
// (a result or a heartbeat).
func (c *Checker) updated() <-chan struct{} {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.notify
}

// WaitFirstRun blocks until every check has finished its first run (passed,
// failed or timed out), or until ctx is done. Probes never need it: they
// answer from the cache at once, "not yet checked" counting as failing. It
// is for a program that wants the first results before it goes on, such as
// logging them at start.
func (c *Checker) WaitFirstRun(ctx context.Context) error {
	for {
		next := c.updated()
		if c.allRan() {
			return nil
		}
		select {
		case <-next:
		case <-ctx.Done():
			return ctx.Err()
		}
	}
}

// allRan reports whether every check has completed a run.
func (c *Checker) allRan() bool {
	for _, r := range c.snap.Load().results {
		if !r.checked() {
			return false
		}
	}
	return true
}
