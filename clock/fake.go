package clock

import (
	"context"
	"sort"
	"sync"
	"time"
)

// Fake is a clock that only moves when Advance or Set is called. Timers fire
// synchronously inside Advance, in deadline order. It is safe for concurrent
// use.
type Fake struct {
	mu      sync.Mutex
	now     time.Time
	timers  []*fakeTimer
	waiters []chan struct{}
}

// NewFake returns a fake clock set to start.
func NewFake(start time.Time) *Fake { return &Fake{now: start} }

// Now returns the fake current time.
func (f *Fake) Now() time.Time {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.now
}

// Since returns the fake time elapsed since t.
func (f *Fake) Since(t time.Time) time.Duration { return f.Now().Sub(t) }

// NewTimer returns a timer that fires when the clock is advanced past now+d.
// A timer with d <= 0 fires at once.
func (f *Fake) NewTimer(d time.Duration) Timer {
	f.mu.Lock()
	defer f.mu.Unlock()
	t := &fakeTimer{f: f, at: f.now.Add(d), c: make(chan time.Time, 1)}
	if d <= 0 {
		t.c <- f.now
		t.fired = true
		return t
	}
	f.timers = append(f.timers, t)
	f.wakeLocked()
	return t
}

// AfterFunc returns a timer that calls f when the clock is advanced past
// now+d. f runs synchronously inside Advance or Set, after the clock's lock
// is released, so it may use the clock.
func (f *Fake) AfterFunc(d time.Duration, fn func()) Timer {
	f.mu.Lock()
	t := &fakeTimer{f: f, at: f.now.Add(d), fn: fn}
	if d <= 0 {
		t.fired = true
		f.mu.Unlock()
		fn()
		return t
	}
	f.timers = append(f.timers, t)
	f.wakeLocked()
	f.mu.Unlock()
	return t
}

func (f *Fake) wakeLocked() {
	for _, w := range f.waiters {
		close(w)
	}
	f.waiters = nil
}

// Advance moves the clock forward by d, firing every timer that falls due.
func (f *Fake) Advance(d time.Duration) {
	f.mu.Lock()
	funcs := f.setLocked(f.now.Add(d))
	f.mu.Unlock()
	for _, fn := range funcs {
		fn()
	}
}

// Set moves the clock to t (which must not be before Now), firing due timers.
func (f *Fake) Set(t time.Time) {
	f.mu.Lock()
	funcs := f.setLocked(t)
	f.mu.Unlock()
	for _, fn := range funcs {
		fn()
	}
}

// setLocked moves the clock, delivers due channel timers and returns the
// functions of due AfterFunc timers, in deadline order.
func (f *Fake) setLocked(t time.Time) (funcs []func()) {
	if t.Before(f.now) {
		panic("clock: fake clock moved backwards")
	}
	f.now = t
	sort.Slice(f.timers, func(i, j int) bool { return f.timers[i].at.Before(f.timers[j].at) })
	kept := f.timers[:0]
	for _, tm := range f.timers {
		if !tm.at.After(t) {
			tm.fired = true
			if tm.fn != nil {
				funcs = append(funcs, tm.fn)
			} else {
				tm.c <- tm.at
			}
			continue
		}
		kept = append(kept, tm)
	}
	f.timers = kept
	return funcs
}

// PendingTimers returns how many timers are waiting to fire.
func (f *Fake) PendingTimers() int {
	f.mu.Lock()
	defer f.mu.Unlock()
	return len(f.timers)
}

// WaitForTimers blocks until at least n timers are pending or ctx is done. It
// lets a test advance the clock only once the code under test is waiting,
// without sleeping.
func (f *Fake) WaitForTimers(ctx context.Context, n int) error {
	for {
		f.mu.Lock()
		if len(f.timers) >= n {
			f.mu.Unlock()
			return nil
		}
		w := make(chan struct{})
		f.waiters = append(f.waiters, w)
		f.mu.Unlock()
		select {
		case <-w:
		case <-ctx.Done():
			return ctx.Err()
		}
	}
}

type fakeTimer struct {
	f     *Fake
	at    time.Time
	c     chan time.Time
	fn    func()
	fired bool
}

func (t *fakeTimer) C() <-chan time.Time { return t.c }

func (t *fakeTimer) Stop() bool {
	t.f.mu.Lock()
	defer t.f.mu.Unlock()
	return t.f.removeLocked(t)
}

// Reset re-arms the timer to fire when the clock reaches Now()+d, whether it
// had fired, been stopped or was pending; it reports whether it was pending.
// A value the timer delivered before the Reset and nobody received is
// dropped. With d <= 0 it fires at once: an AfterFunc timer's function runs
// in the caller's goroutine, as AfterFunc's does.
func (t *fakeTimer) Reset(d time.Duration) bool {
	f := t.f
	f.mu.Lock()
	pending := f.removeLocked(t)
	if t.c != nil {
		select {
		case <-t.c:
		default:
		}
	}
	t.at, t.fired = f.now.Add(d), d <= 0
	if d > 0 {
		f.timers = append(f.timers, t)
		f.wakeLocked()
		f.mu.Unlock()
		return pending
	}
	if t.fn == nil {
		t.c <- f.now
		f.mu.Unlock()
		return pending
	}
	f.mu.Unlock()
	t.fn()
	return pending
}

// removeLocked takes t off the pending timers; it reports whether t was
// pending.
func (f *Fake) removeLocked(t *fakeTimer) bool {
	if t.fired {
		return false
	}
	for i, tm := range f.timers {
		if tm == t {
			f.timers = append(f.timers[:i], f.timers[i+1:]...)
			return true
		}
	}
	return false
}

// NextTimerIn returns how far the clock must move for the earliest pending
// timer to fire, or 0 if none is pending.
func (f *Fake) NextTimerIn() time.Duration {
	f.mu.Lock()
	defer f.mu.Unlock()
	var next time.Duration
	for i, t := range f.timers {
		if d := t.at.Sub(f.now); i == 0 || d < next {
			next = d
		}
	}
	return next
}
