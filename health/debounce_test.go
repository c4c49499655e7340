package health

import (
	"testing"
	"time"
)

func TestDebounce(t *testing.T) {
	t.Parallel()
	const iv = 10 * time.Second
	tests := []struct {
		name      string
		threshold int
		failAfter time.Duration
		script    []Result // one per run, at t0, t0+10s, ...
		want      []Status // reported status after each run
	}{
		{"default fails at once", 0, 0,
			[]Result{pass, fail, pass},
			[]Status{StatusPass, StatusFail, StatusPass}},
		{"three consecutive failures", 3, 0,
			[]Result{pass, fail, fail, fail, pass, fail},
			[]Status{StatusPass, StatusPass, StatusPass, StatusFail, StatusPass, StatusPass}},
		{"a pass resets the count", 2, 0,
			[]Result{pass, fail, pass, fail, fail},
			[]Status{StatusPass, StatusPass, StatusPass, StatusPass, StatusFail}},
		{"failing for 25s", 0, 25 * time.Second,
			[]Result{pass, fail, fail, fail, fail, pass},
			[]Status{StatusPass, StatusPass, StatusPass, StatusPass, StatusFail, StatusPass}},
		{"duration reached before count", 5, 15 * time.Second,
			[]Result{pass, fail, fail, fail},
			[]Status{StatusPass, StatusPass, StatusPass, StatusFail}},
		{"count reached before duration", 2, time.Hour,
			[]Result{pass, fail, fail},
			[]Status{StatusPass, StatusPass, StatusFail}},
		{"never passed fails at once", 3, 0,
			[]Result{fail, fail, pass},
			[]Status{StatusFail, StatusFail, StatusPass}},
		{"a held failure keeps warn", 3, 0,
			[]Result{warn, fail, fail, fail},
			[]Status{StatusWarn, StatusWarn, StatusWarn, StatusFail}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			s := newScript(tt.script...)
			c, fc := startChecker(t, Options{Interval: iv},
				Check{Name: "dep", Func: s.run, FailureThreshold: tt.threshold, FailAfter: tt.failAfter})
			for i, want := range tt.want {
				if i > 0 {
					advance(t, fc, 2, iv) // the check's timer and the heartbeat's
				}
				waitRuns(t, c, "dep", i+1)
				r, _ := c.Result("dep")
				if r.Status != want {
					t.Fatalf("run %d (t0+%s): status %q, want %q (observed %q, %d consecutive failures)",
						i+1, time.Duration(i)*iv, r.Status, want, r.Observed, r.ConsecutiveFailures)
				}
			}
		})
	}
}

func TestDebouncedFailureShownInVerbose(t *testing.T) {
	t.Parallel()
	c, _ := newChecker(t, Options{}, Check{Name: "db", Func: newScript(pass).run, FailureThreshold: 3})
	set(t, c, "db", pass, fail)
	code, body := get(t, c.Handler(), "/readyz?verbose")
	want := "[+]db ok (failing 1x, not reported yet: connection refused)\nreadyz check passed"
	if code != 200 || body != want {
		t.Errorf("GET /readyz?verbose = %d %q, want 200 %q", code, body, want)
	}
}
