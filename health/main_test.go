package health

import (
	"context"
	"net/http"
	"net/http/httptest"
	"sync"
	"testing"
	"time"

	"go.uber.org/goleak"

	"github.com/flywheel-stack/flywheel/clock"
)

func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }

// t0 is where every fake clock starts.
var t0 = time.Date(2025, 1, 2, 3, 4, 5, 0, time.UTC)

// quiet drops status changes.
var quiet = ListenerFunc(func(Change) {})

// newChecker returns an unstarted checker on a fake clock with the
// performance probe off (unless opts gives a sampler) and a quiet listener.
func newChecker(t testing.TB, opts Options, checks ...Check) (*Checker, *clock.Fake) {
	t.Helper()
	fc := clock.NewFake(t0)
	opts.Clock = fc
	if opts.Performance.Sampler == nil {
		opts.Performance.Disabled = true
	}
	if opts.Listener == nil {
		opts.Listener = quiet
	}
	c, err := New(opts, checks...)
	if err != nil {
		t.Fatalf("New: %v", err)
	}
	return c, fc
}

// startChecker is newChecker plus Start, with Stop at cleanup.
func startChecker(t testing.TB, opts Options, checks ...Check) (*Checker, *clock.Fake) {
	t.Helper()
	c, fc := newChecker(t, opts, checks...)
	if err := c.Start(context.Background()); err != nil {
		t.Fatalf("Start: %v", err)
	}
	t.Cleanup(c.Stop)
	return c, fc
}

// set records results for the named check as if it had run, without the
// background loop.
func set(t testing.TB, c *Checker, name string, rs ...Result) {
	t.Helper()
	i, ok := c.snap.Load().index[name]
	if !ok {
		t.Fatalf("no check %q", name)
	}
	for _, r := range rs {
		now := c.clock.Now()
		c.record(c.defs[i], r, now, now)
	}
}

// waitFor waits, without sleeping, until cond holds after some update of
// the checker, failing the test after a generous deadline.
func waitFor(t testing.TB, c *Checker, what string, cond func() bool) {
	t.Helper()
	deadline := time.NewTimer(10 * time.Second)
	defer deadline.Stop()
	for {
		ch := c.updated()
		if cond() {
			return
		}
		select {
		case <-ch:
		case <-deadline.C:
			t.Fatalf("timed out waiting for %s", what)
		}
	}
}

// runs returns how many runs of the named check have completed.
func runs(c *Checker, name string) int {
	r, _ := c.Result(name)
	return r.Runs
}

// waitRuns waits until the named check has completed n runs.
func waitRuns(t testing.TB, c *Checker, name string, n int) {
	t.Helper()
	waitFor(t, c, name+" to run", func() bool { return runs(c, name) >= n })
}

// advance waits until timers timers are pending (every loop is idle), then
// moves the fake clock by d.
func advance(t testing.TB, fc *clock.Fake, timers int, d time.Duration) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	if err := fc.WaitForTimers(ctx, timers); err != nil {
		t.Fatalf("waiting for %d timers: %v (have %d)", timers, err, fc.PendingTimers())
	}
	fc.Advance(d)
}

// get serves target through h and returns the status code and body.
func get(t testing.TB, h http.Handler, target string) (int, string) {
	t.Helper()
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, httptest.NewRequest(http.MethodGet, target, nil))
	return rec.Code, rec.Body.String()
}

// script is a check that returns its results in turn (the last one
// forever) and counts its calls.
type script struct {
	mu      sync.Mutex
	results []Result
	calls   int
}

func newScript(rs ...Result) *script { return &script{results: rs} }

func (s *script) run(context.Context) Result {
	s.mu.Lock()
	defer s.mu.Unlock()
	i := min(s.calls, len(s.results)-1)
	s.calls++
	return s.results[i]
}

func (s *script) count() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.calls
}

var (
	pass = Result{Status: StatusPass}
	warn = Warnf("slow")
	fail = Failf("connection refused")
)

// okCheck returns a check that always passes.
func okCheck(name string) Check { return Check{Name: name, Func: newScript(pass).run} }
