package health

import (
	"net/http"
	"testing"
	"time"
)

func TestStartupLatches(t *testing.T) {
	t.Parallel()
	const iv = 10 * time.Second
	model := newScript(Failf("loading"), pass) // startup only
	db := newScript(pass, pass, fail)          // readiness and startup
	c, fc := startChecker(t, Options{Interval: iv},
		Check{Name: "model", Func: model.run, Kind: Startup},
		Check{Name: "db", Func: db.run, Kind: Readiness | Startup},
	)
	h := c.Handler()

	waitRuns(t, c, "model", 1)
	waitRuns(t, c, "db", 1)
	if code, body := get(t, h, "/startupz?verbose"); code != http.StatusServiceUnavailable ||
		body != "[-]model failed: loading\n[+]db ok\nstartupz check failed" {
		t.Fatalf("before model passed: GET /startupz?verbose = %d %q", code, body)
	}

	advance(t, fc, 3, iv) // model, db, heartbeat
	waitRuns(t, c, "model", 2)
	waitRuns(t, c, "db", 2)
	if code, body := get(t, h, "/startupz"); code != http.StatusOK || body != "ok" {
		t.Fatalf("after every startup check passed: GET /startupz = %d %q", code, body)
	}

	// The startup-only check has stopped; db keeps running and now fails,
	// which fails readiness but not startup.
	advance(t, fc, 2, iv) // db, heartbeat
	waitRuns(t, c, "db", 3)
	if got := model.count(); got != 2 {
		t.Errorf("startup-only check ran %d times after startup latched, want 2", got)
	}
	if code, body := get(t, h, "/startupz?verbose"); code != http.StatusOK ||
		body != "[+]model ok\n[+]db ok\nstartupz check passed" {
		t.Errorf("after latch: GET /startupz?verbose = %d %q", code, body)
	}
	if code, _ := get(t, h, "/readyz"); code != http.StatusServiceUnavailable {
		t.Errorf("GET /readyz = %d, want 503 once db fails", code)
	}
}

func TestStartupWithoutStartupChecksPasses(t *testing.T) {
	t.Parallel()
	c, _ := newChecker(t, Options{}, okCheck("db"))
	if code, body := get(t, c.Handler(), "/startupz"); code != http.StatusOK || body != "ok" {
		t.Errorf("GET /startupz = %d %q, want 200 ok", code, body)
	}
}
