package health

import (
	"math"
	"net/http"
	"testing"
)

func TestReadinessCriticalAndNonCritical(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name         string
		db, cache    Result // db is critical, cache is not
		want         Status
		wantCode     int
		wantBodyPart string
	}{
		{"all pass", pass, pass, StatusPass, http.StatusOK, "ok"},
		{"critical fails", fail, pass, StatusFail, http.StatusServiceUnavailable, "readyz check failed"},
		{"non-critical fails", pass, fail, StatusWarn, http.StatusOK, "ok"},
		{"critical warns", warn, pass, StatusWarn, http.StatusOK, "ok"},
		{"both fail", fail, fail, StatusFail, http.StatusServiceUnavailable, "readyz check failed"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			c, _ := newChecker(t, Options{},
				Check{Name: "db", Func: newScript(pass).run},
				Check{Name: "cache", Func: newScript(pass).run, NonCritical: true},
			)
			set(t, c, "db", tt.db)
			set(t, c, "cache", tt.cache)
			if got := c.Status(Readiness); got != tt.want {
				t.Errorf("Status(Readiness) = %q, want %q", got, tt.want)
			}
			code, body := get(t, c.Handler(), "/readyz")
			if code != tt.wantCode || body != tt.wantBodyPart {
				t.Errorf("GET /readyz = %d %q, want %d %q", code, body, tt.wantCode, tt.wantBodyPart)
			}
		})
	}
}

func TestNotYetCheckedFailsReadiness(t *testing.T) {
	t.Parallel()
	c, _ := newChecker(t, Options{}, okCheck("db"))
	code, body := get(t, c.Handler(), "/readyz?verbose")
	want := "[-]db failed: not yet checked\nreadyz check failed"
	if code != http.StatusServiceUnavailable || body != want {
		t.Errorf("GET /readyz?verbose = %d %q, want 503 %q", code, body, want)
	}
}

func TestScore(t *testing.T) {
	t.Parallel()
	type dep struct {
		weight float64
		kind   Kind
		r      *Result // nil: not yet checked
	}
	p, w, f := &pass, &warn, &fail
	tests := []struct {
		name string
		deps []dep
		want float64
	}{
		{"no checks", nil, 100},
		{"all pass", []dep{{1, 0, p}, {1, 0, p}}, 100},
		{"one of two fails", []dep{{1, 0, p}, {1, 0, f}}, 50},
		{"warn counts half", []dep{{1, 0, w}}, 50},
		{"weights", []dep{{1, 0, p}, {0.5, 0, w}, {2, 0, f}}, 100 * (1 + 0.25) / 3.5},
		{"zero weight means one", []dep{{0, 0, p}, {0, 0, f}}, 50},
		{"negative weight left out", []dep{{1, 0, p}, {-1, 0, f}}, 100},
		{"not yet checked counts as fail", []dep{{1, 0, p}, {3, 0, nil}}, 25},
		{"liveness and startup checks left out", []dep{{1, 0, p}, {1, Liveness, f}, {1, Startup, f}}, 100},
		{"readiness|startup counts", []dep{{1, 0, p}, {1, Readiness | Startup, f}}, 50},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			var checks []Check
			for i, d := range tt.deps {
				checks = append(checks, Check{Name: string(rune('a' + i)), Func: newScript(pass).run, Weight: d.weight, Kind: d.kind})
			}
			c, _ := newChecker(t, Options{}, checks...)
			for i, d := range tt.deps {
				if d.r != nil {
					set(t, c, string(rune('a'+i)), *d.r)
				}
			}
			if got := c.Score(); math.Abs(got-tt.want) > 1e-9 {
				t.Errorf("Score() = %v, want %v", got, tt.want)
			}
		})
	}
}

func TestNewRejectsBadChecks(t *testing.T) {
	t.Parallel()
	fn := newScript(pass).run
	tests := []struct {
		name   string
		checks []Check
	}{
		{"empty name", []Check{{Func: fn}}},
		{"slash in name", []Check{{Name: "a/b", Func: fn}}},
		{"nil func", []Check{{Name: "a"}}},
		{"duplicate", []Check{{Name: "a", Func: fn}, {Name: "a", Func: fn}}},
		{"reserved heartbeat", []Check{{Name: "heartbeat", Func: fn}}},
		{"bad kind", []Check{{Name: "a", Func: fn, Kind: 64}}},
		{"negative timeout", []Check{{Name: "a", Func: fn, Timeout: -1}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			if _, err := New(Options{Performance: PerfOptions{Disabled: true}}, tt.checks...); err == nil {
				t.Fatal("New accepted an invalid check")
			}
		})
	}
}

func TestAddAfterStart(t *testing.T) {
	t.Parallel()
	c, _ := startChecker(t, Options{})
	if err := c.Add(okCheck("late")); err == nil {
		t.Fatal("Add after Start succeeded")
	}
	if err := c.Start(t.Context()); err == nil {
		t.Fatal("second Start succeeded")
	}
}
