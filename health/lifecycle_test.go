package health

import (
	"context"
	"errors"
	"testing"
	"time"
)

func TestEveryCheckRunsOnceAtStartThenAtItsInterval(t *testing.T) {
	t.Parallel()
	fast, slow := newScript(pass), newScript(pass)
	c, fc := startChecker(t, Options{},
		Check{Name: "fast", Func: fast.run, Interval: DefaultInterval},
		Check{Name: "slow", Func: slow.run, Interval: 3 * DefaultInterval},
	)
	waitRuns(t, c, "fast", 1)
	waitRuns(t, c, "slow", 1)
	advance(t, fc, 3, DefaultInterval) // fast, slow, heartbeat
	waitRuns(t, c, "fast", 2)
	if got := slow.count(); got != 1 {
		t.Errorf("slow ran %d times after one fast interval, want 1", got)
	}
	advance(t, fc, 3, 2*DefaultInterval)
	waitRuns(t, c, "slow", 2)
}

func TestRunStopsWithItsContext(t *testing.T) {
	t.Parallel()
	c, _ := newChecker(t, Options{}, okCheck("db"))
	ctx, cancel := context.WithCancel(t.Context())
	done := make(chan error, 1)
	go func() { done <- c.Run(ctx) }()
	waitRuns(t, c, "db", 1)
	cancel()
	if err := <-done; err != nil {
		t.Fatalf("Run: %v", err)
	}
	if err := c.Run(t.Context()); !errors.Is(err, ErrStarted) {
		t.Errorf("second Run: %v, want ErrStarted", err)
	}
}

func TestPanickingCheckFails(t *testing.T) {
	t.Parallel()
	c, _ := startChecker(t, Options{}, Check{Name: "bad", Func: func(context.Context) Result { panic("nil map") }})
	waitRuns(t, c, "bad", 1)
	if r, _ := c.Result("bad"); r.Status != StatusFail || r.Output != "check panicked: nil map" {
		t.Errorf("got %q %q", r.Status, r.Output)
	}
}

func TestResultHelpers(t *testing.T) {
	t.Parallel()
	tests := []struct {
		got, want Result
	}{
		{FromError(nil), Result{Status: StatusPass}},
		{FromError(errors.New("boom")), Result{Status: StatusFail, Output: "boom"}},
		{Passf("%d ms", 3), Result{Status: StatusPass, Output: "3 ms"}},
		{Warnf("slow %s", "disk"), Result{Status: StatusWarn, Output: "slow disk"}},
		{Failf("down"), Result{Status: StatusFail, Output: "down"}},
	}
	for _, tt := range tests {
		if tt.got.Status != tt.want.Status || tt.got.Output != tt.want.Output {
			t.Errorf("got %+v, want %+v", tt.got, tt.want)
		}
	}
	for k, want := range map[Kind]string{0: "none", Readiness: "readiness", Readiness | Startup: "readiness|startup", kindAll: "liveness|readiness|startup"} {
		if got := k.String(); got != want {
			t.Errorf("Kind(%d).String() = %q, want %q", k, got, want)
		}
	}
}

func TestZeroResultPasses(t *testing.T) {
	t.Parallel()
	c, _ := newChecker(t, Options{}, okCheck("db"))
	set(t, c, "db", Result{})
	if got := c.Status(Readiness); got != StatusPass {
		t.Errorf("readiness %q after a zero Result, want pass", got)
	}
}

func TestWaitFirstRun(t *testing.T) {
	t.Parallel()
	release := make(chan struct{})
	slow := func(ctx context.Context) Result {
		select {
		case <-release:
			return Result{}
		case <-ctx.Done():
			return Failf("cancelled")
		}
	}
	c, _ := newChecker(t, Options{}, Check{Name: "fast", Func: newScript(pass).run}, Check{Name: "slow", Func: slow, Timeout: time.Hour})
	short, cancel := context.WithCancel(t.Context())
	cancel()
	if err := c.WaitFirstRun(short); err == nil {
		t.Fatal("WaitFirstRun returned nil before any check ran")
	}
	if err := c.Start(t.Context()); err != nil {
		t.Fatal(err)
	}
	defer c.Stop()
	done := make(chan error, 1)
	go func() { done <- c.WaitFirstRun(t.Context()) }()
	waitRuns(t, c, "fast", 1)
	select {
	case err := <-done:
		t.Fatalf("WaitFirstRun returned (%v) while a check had not finished its first run", err)
	default:
	}
	close(release)
	if err := <-done; err != nil {
		t.Fatalf("WaitFirstRun: %v", err)
	}
	if r, _ := c.Result("slow"); r.Runs != 1 || r.Status != StatusPass {
		t.Fatalf("slow after WaitFirstRun: %+v", r)
	}
}
