// Package clock abstracts time so that time-based logic (breakers, retries,
// health intervals, burn-rate windows) can be tested with a fake clock
// instead of sleeping.
package clock

import "time"

// Clock tells the time and makes timers. Real is the production clock; Fake
// is a manually advanced clock for tests.
type Clock interface {
	// Now returns the current time.
	Now() time.Time
	// Since returns the time elapsed since t. For the real clock and a t
	// read from it, this uses the monotonic clock alone and costs about half
	// of Now.
	Since(t time.Time) time.Duration
	// NewTimer returns a timer that fires once after d.
	NewTimer(d time.Duration) Timer
	// AfterFunc calls f in its own goroutine after d. The returned timer's
	// C is nil.
	AfterFunc(d time.Duration, f func()) Timer
}

// Timer is the part of *time.Timer that the library uses.
type Timer interface {
	// C is the channel on which the fire time is delivered.
	C() <-chan time.Time
	// Stop prevents the timer from firing; it reports whether it stopped it.
	Stop() bool
	// Reset makes the timer fire after d from now, whether or not it had
	// fired or been stopped; it reports whether the timer was pending. As
	// with time.Timer since Go 1.23, no value from before the Reset is
	// received from C afterwards.
	Reset(d time.Duration) bool
}

// Real is the wall clock. Its zero value is ready to use.
type Real struct{}

// Now returns time.Now().
func (Real) Now() time.Time { return time.Now() }

// Since returns time.Since(t).
func (Real) Since(t time.Time) time.Duration { return time.Since(t) }

// NewTimer wraps time.NewTimer.
func (Real) NewTimer(d time.Duration) Timer { return realTimer{time.NewTimer(d)} }

// AfterFunc wraps time.AfterFunc.
func (Real) AfterFunc(d time.Duration, f func()) Timer { return realTimer{time.AfterFunc(d, f)} }

type realTimer struct{ t *time.Timer }

func (r realTimer) C() <-chan time.Time { return r.t.C }
func (r realTimer) Stop() bool          { return r.t.Stop() }

func (r realTimer) Reset(d time.Duration) bool { return r.t.Reset(d) }

// OrReal returns c, or Real when c is nil, so that config structs can leave
// their Clock field unset.
func OrReal(c Clock) Clock {
	if c == nil {
		return Real{}
	}
	return c
}
