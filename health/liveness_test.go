package health

import (
	"net/http"
	"strings"
	"testing"
	"time"
)

func TestLivenessBeforeStart(t *testing.T) {
	t.Parallel()
	c, _ := newChecker(t, Options{})
	code, body := get(t, c.Handler(), "/livez?verbose")
	if code != http.StatusServiceUnavailable || body != "[-]heartbeat failed: checker not started\nlivez check failed" {
		t.Errorf("GET /livez?verbose = %d %q", code, body)
	}
}

func TestLivenessIgnoresDependencies(t *testing.T) {
	t.Parallel()
	const iv = 10 * time.Second
	c, fc := startChecker(t, Options{Interval: iv}, Check{Name: "db", Func: newScript(fail).run})
	h := c.Handler()
	for i := 1; i <= 5; i++ {
		waitRuns(t, c, "db", i)
		if code, _ := get(t, h, "/readyz"); code != http.StatusServiceUnavailable {
			t.Fatalf("GET /readyz = %d, want 503 while db is down", code)
		}
		if code, body := get(t, h, "/livez"); code != http.StatusOK || body != "ok" {
			t.Fatalf("GET /livez = %d %q while only a dependency is down, want 200 ok", code, body)
		}
		advance(t, fc, 2, iv)
	}
	if code, _ := get(t, h, "/livez/db"); code != http.StatusNotFound {
		t.Errorf("GET /livez/db = %d, want 404: a dependency is not a liveness check", code)
	}
}

func TestLivenessFailsWhenTheLoopIsStuck(t *testing.T) {
	t.Parallel()
	const iv = 10 * time.Second
	c, fc := startChecker(t, Options{Interval: iv})
	h := c.Handler()
	if code, _ := get(t, h, "/livez"); code != http.StatusOK {
		t.Fatalf("GET /livez = %d right after Start, want 200", code)
	}

	// Hold the checker's lock as a deadlock would: the heartbeat cannot
	// tick, and liveness fails once three intervals have passed.
	c.mu.Lock()
	advance(t, fc, 1, 31*time.Second)
	code, body := get(t, h, "/livez?verbose")
	c.mu.Unlock()
	if code != http.StatusServiceUnavailable ||
		!strings.Contains(body, "[-]heartbeat failed: background loop has not ticked for 31s (limit 30s)") {
		t.Fatalf("stuck loop: GET /livez?verbose = %d %q", code, body)
	}

	// Released, the heartbeat ticks and liveness recovers.
	waitFor(t, c, "liveness to recover", func() bool { return c.Status(Liveness) == StatusPass })
	if code, body := get(t, h, "/livez/heartbeat"); code != http.StatusOK || body != "ok" {
		t.Errorf("GET /livez/heartbeat = %d %q", code, body)
	}
}

func TestLivenessFailsAfterStop(t *testing.T) {
	t.Parallel()
	c, fc := newChecker(t, Options{})
	if err := c.Start(t.Context()); err != nil {
		t.Fatal(err)
	}
	c.Stop()
	c.Stop() // idempotent
	fc.Advance(DefaultInterval * 3)
	if got := c.Status(Liveness); got != StatusPass {
		t.Errorf("liveness %q exactly at the limit, want pass", got)
	}
	fc.Advance(time.Second)
	if got := c.Status(Liveness); got != StatusFail {
		t.Errorf("liveness %q after the loop stopped ticking, want fail", got)
	}
}

func TestLivenessCheckFailing(t *testing.T) {
	t.Parallel()
	c, _ := startChecker(t, Options{}, Check{Name: "deadlock", Kind: Liveness, Func: newScript(Failf("worker pool stuck")).run})
	waitRuns(t, c, "deadlock", 1)
	code, body := get(t, c.Handler(), "/livez?verbose")
	want := "[+]heartbeat ok\n[-]deadlock failed: worker pool stuck\nlivez check failed"
	if code != http.StatusServiceUnavailable || body != want {
		t.Errorf("GET /livez?verbose = %d %q, want 503 %q", code, body, want)
	}
}
