package clock_test

import (
	"testing"
	"time"

	"github.com/flywheel-stack/flywheel/clock"
)

var t0 = time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)

func TestFakeTimerReset(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name        string
		fire        bool // let the timer fire before the Reset
		stop        bool // stop it before the Reset
		wantPending bool
	}{
		{"pending", false, false, true},
		{"fired", true, false, false},
		{"stopped", false, true, false},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			for _, fn := range []bool{false, true} {
				clk := clock.NewFake(t0)
				calls := 0
				var tm clock.Timer
				if fn {
					tm = clk.AfterFunc(time.Second, func() { calls++ })
				} else {
					tm = clk.NewTimer(time.Second)
				}
				if tc.fire {
					clk.Advance(time.Second)
				}
				if tc.stop {
					tm.Stop()
				}
				if got := tm.Reset(3 * time.Second); got != tc.wantPending {
					t.Fatalf("func=%v: Reset reported pending %v, want %v", fn, got, tc.wantPending)
				}
				fired := func() bool {
					if fn {
						return calls == map[bool]int{true: 1, false: 0}[tc.fire]+1
					}
					select {
					case at := <-tm.C():
						if !at.Equal(clk.Now()) {
							t.Fatalf("fired with %v at %v", at, clk.Now())
						}
						return true
					default:
						return false
					}
				}
				clk.Advance(2 * time.Second) // past the first deadline, before the new one
				if fired() {
					t.Fatalf("func=%v: fired at the deadline from before the Reset (or a stale value was left in C)", fn)
				}
				clk.Advance(time.Second)
				if !fired() {
					t.Fatalf("func=%v: did not fire at the new deadline", fn)
				}
				if n := clk.PendingTimers(); n != 0 {
					t.Fatalf("func=%v: %d timers left pending", fn, n)
				}
			}
		})
	}
}

func TestFakeTimerResetNowFires(t *testing.T) {
	t.Parallel()
	clk := clock.NewFake(t0)
	calls := 0
	tm := clk.AfterFunc(time.Hour, func() { calls++ })
	if !tm.Reset(0) || calls != 1 || clk.PendingTimers() != 0 {
		t.Fatalf("Reset(0): calls %d, pending %d", calls, clk.PendingTimers())
	}
	ch := clk.NewTimer(time.Hour)
	ch.Reset(-time.Second)
	select {
	case <-ch.C():
	default:
		t.Fatal("Reset(<0) of a channel timer did not deliver at once")
	}
}

func TestRealTimerReset(t *testing.T) {
	t.Parallel()
	tm := clock.Real{}.NewTimer(time.Hour)
	if !tm.Reset(time.Nanosecond) {
		t.Fatal("a pending real timer's Reset reported not pending")
	}
	<-tm.C()
}
