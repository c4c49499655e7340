package health

import (
	"net/http"
	"net/http/httptest"
	"testing"
)

// probeFixture is a checker with one check in each interesting state.
func probeFixture(t *testing.T) *Checker {
	t.Helper()
	fn := newScript(pass).run
	c, _ := newChecker(t, Options{},
		Check{Name: "postgres", Func: fn},
		Check{Name: "redis", Func: fn, NonCritical: true},
		Check{Name: "llama", Func: fn, Kind: Readiness | Startup},
		Check{Name: "breakers", Func: fn},
	)
	set(t, c, "postgres", pass)
	set(t, c, "redis", Failf("dial tcp 127.0.0.1:6380: connect: connection refused"))
	set(t, c, "llama", Failf("starting: llama.cpp is loading the model"))
	set(t, c, "breakers", Warnf("breaker remote open"))
	return c
}

func TestProbeHandler(t *testing.T) {
	t.Parallel()
	const (
		pgOK    = "[+]postgres ok"
		redisKO = "[-]redis failed (non-critical): dial tcp 127.0.0.1:6380: connect: connection refused"
		llamaKO = "[-]llama failed: starting: llama.cpp is loading the model"
		brkWarn = "[+]breakers ok (warn: breaker remote open)"
	)
	tests := []struct {
		target   string
		wantCode int
		wantBody string
	}{
		{"/readyz", 503, "readyz check failed"},
		{"/readyz?verbose", 503, pgOK + "\n" + redisKO + "\n" + llamaKO + "\n" + brkWarn + "\nreadyz check failed"},
		{"/readyz?exclude=llama", 200, "ok"},
		{"/readyz?verbose&exclude=llama", 200, pgOK + "\n" + redisKO + "\n[+]llama excluded: ok\n" + brkWarn + "\nreadyz check passed"},
		{"/readyz?verbose&exclude=llama&exclude=redis&exclude=nope", 200,
			pgOK + "\n[+]redis excluded: ok\n[+]llama excluded: ok\n" + brkWarn +
				"\nwarn: some health checks cannot be excluded: no matches for \"nope\"\nreadyz check passed"},
		{"/readyz?exclude=llama,redis", 200, "ok"},
		{"/readyz/postgres", 200, "ok"},
		{"/readyz/postgres?verbose", 200, pgOK + "\nreadyz check passed"},
		{"/readyz/breakers", 200, "ok"},
		{"/readyz/redis", 503, redisKO},
		{"/readyz/llama?verbose", 503, llamaKO + "\nreadyz check failed"},
		{"/readyz/nope", 404, `readyz: no check named "nope"`},
		{"/startupz", 503, "startupz check failed"},
		{"/startupz?verbose", 503, "[-]llama failed: starting: llama.cpp is loading the model\nstartupz check failed"},
		{"/startupz?exclude=llama", 200, "ok"},
		{"/startupz/llama", 503, "[-]llama failed: starting: llama.cpp is loading the model"},
		{"/startupz/postgres", 404, `startupz: no check named "postgres"`},
		{"/livez/postgres", 404, `livez: no check named "postgres"`},
	}
	c := probeFixture(t)
	h := c.Handler()
	for _, tt := range tests {
		t.Run(tt.target, func(t *testing.T) {
			t.Parallel()
			rec := httptest.NewRecorder()
			h.ServeHTTP(rec, httptest.NewRequest(http.MethodGet, tt.target, nil))
			if rec.Code != tt.wantCode || rec.Body.String() != tt.wantBody {
				t.Errorf("GET %s = %d %q\nwant %d %q", tt.target, rec.Code, rec.Body.String(), tt.wantCode, tt.wantBody)
			}
			if ct := rec.Header().Get("Content-Type"); ct != "text/plain; charset=utf-8" {
				t.Errorf("Content-Type = %q", ct)
			}
		})
	}
}

func TestRegisterOnAMux(t *testing.T) {
	t.Parallel()
	c := probeFixture(t)
	mux := http.NewServeMux()
	mux.HandleFunc("GET /other", func(w http.ResponseWriter, _ *http.Request) { _, _ = w.Write([]byte("other")) })
	c.Register(mux)
	for _, target := range []string{"/livez", "/readyz", "/startupz", "/healthz", "/readyz/postgres", "/other"} {
		if code, _ := get(t, mux, target); code == http.StatusNotFound || code == http.StatusMethodNotAllowed {
			t.Errorf("GET %s = %d: not mounted", target, code)
		}
	}
	rec := httptest.NewRecorder()
	mux.ServeHTTP(rec, httptest.NewRequest(http.MethodPost, "/readyz", nil))
	if rec.Code != http.StatusMethodNotAllowed {
		t.Errorf("POST /readyz = %d, want 405", rec.Code)
	}
}

func TestProbeHandlerWithoutPattern(t *testing.T) {
	t.Parallel()
	c := probeFixture(t)
	h := c.ProbeHandler(Readiness)
	if code, body := get(t, h, "/api/readyz/postgres"); code != 200 || body != "ok" {
		t.Errorf("GET /api/readyz/postgres = %d %q", code, body)
	}
	if code, _ := get(t, h, "/api/readyz"); code != 503 {
		t.Errorf("GET /api/readyz = %d", code)
	}
}
