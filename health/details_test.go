package health

import (
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
)

func TestBearerToken(t *testing.T) {
	t.Parallel()
	tests := []struct {
		token, header string
		want          bool
	}{
		{"s3cret-token", "Bearer s3cret-token", true},
		{"s3cret-token", "bearer s3cret-token", true},
		{"s3cret-token", "BEARER  s3cret-token ", true},
		{"s3cret-token", "Bearer s3cret-tokeN", false},
		{"s3cret-token", "Bearer s3cret-token-and-more", false},
		{"s3cret-token", "Basic s3cret-token", false},
		{"s3cret-token", "s3cret-token", false},
		{"s3cret-token", "", false},
		{"", "Bearer ", false},
		{"", "Bearer x", false},
		{"  ", "Bearer  ", false},
	}
	for _, tt := range tests {
		r := httptest.NewRequest(http.MethodGet, "/readyz?verbose", nil)
		if tt.header != "" {
			r.Header.Set("Authorization", tt.header)
		}
		if got := BearerToken(tt.token)(r); got != tt.want {
			t.Errorf("BearerToken(%q) with Authorization %q = %v, want %v", tt.token, tt.header, got, tt.want)
		}
	}
}

// detailsFixture is probeFixture whose details need the bearer token "tok",
// with a failing check whose reason names a user, a host and a path, and a
// text measurement.
func detailsFixture(t *testing.T) *Checker {
	t.Helper()
	fn := newScript(pass).run
	c, _ := newChecker(t, Options{ShowDetails: BearerToken("tok")},
		Check{Name: "postgres", Func: fn},
		Check{Name: "redis", Func: fn, NonCritical: true},
		Check{Name: "model", Func: fn, Kind: Readiness | Startup},
		Check{Name: "disk", Func: fn},
	)
	set(t, c, "postgres", Failf("connect: user=alice host=db.internal:5432"))
	set(t, c, "redis", Warnf("PING cache.internal:6379 slow"))
	set(t, c, "model", Failf("loading /models/secret-weights.gguf"))
	set(t, c, "disk", Result{Output: "at /var/lib/flywheel", Measurements: []Measurement{
		{Name: "path", Value: "/var/lib/flywheel"}, {Name: "utilization", Value: 42.5, Unit: "%"}}})
	return c
}

func TestDetailsNeedTheToken(t *testing.T) {
	t.Parallel()
	secrets := []string{"alice", "db.internal", "cache.internal", "secret-weights", "/var/lib/flywheel"}
	const (
		pgKO    = "[-]postgres failed: details withheld"
		redisW  = "[+]redis ok (warn: details withheld)"
		modelKO = "[-]model failed: details withheld"
	)
	anonymous := []struct {
		target   string
		wantCode int
		wantBody string // "" for /healthz, checked apart
	}{
		{"/readyz", 503, "readyz check failed"},
		{"/readyz?verbose", 503, pgKO + "\n" + redisW + "\n" + modelKO + "\n[+]disk ok\nreadyz check failed"},
		{"/readyz/postgres", 503, pgKO},
		{"/readyz/redis?verbose", 200, redisW + "\nreadyz check passed"},
		{"/startupz?verbose", 503, "[-]model failed: details withheld\nstartupz check failed"},
		{"/startupz/model", 503, "[-]model failed: details withheld"},
		{"/healthz", 503, ""},
		{"/healthz?verbose", 503, ""},
	}
	c := detailsFixture(t)
	h := c.Handler()
	for _, tt := range anonymous {
		for _, auth := range []string{"", "Bearer wrong", "Basic dG9r"} {
			rec := httptest.NewRecorder()
			r := httptest.NewRequest(http.MethodGet, tt.target, nil)
			if auth != "" {
				r.Header.Set("Authorization", auth)
			}
			h.ServeHTTP(rec, r)
			body := rec.Body.String()
			if rec.Code != tt.wantCode || (tt.wantBody != "" && body != tt.wantBody) {
				t.Errorf("GET %s (%q) = %d %q\nwant %d %q", tt.target, auth, rec.Code, body, tt.wantCode, tt.wantBody)
			}
			for _, s := range secrets {
				if strings.Contains(body, s) {
					t.Errorf("GET %s (%q) shows %q:\n%s", tt.target, auth, s, body)
				}
			}
		}
	}

	// /healthz without details keeps names, statuses and numbers.
	_, body := get(t, h, "/healthz")
	var rep Report
	if err := json.Unmarshal([]byte(body), &rep); err != nil {
		t.Fatal(err)
	}
	if rep.Output != "failing: heartbeat, postgres, model; warning: redis" || len(rep.Notes) != 1 || !strings.Contains(rep.Notes[0], "admin token") {
		t.Errorf("report output %q, notes %q", rep.Output, rep.Notes)
	}
	if e := rep.Checks["postgres:responseTime"]; len(e) != 1 || e[0].Status != StatusFail || e[0].Output != "" {
		t.Errorf("postgres entry %+v", e)
	}
	if e := rep.Checks["disk:utilization"]; len(e) != 1 || e[0].ObservedValue != 42.5 {
		t.Errorf("disk utilization entry %+v: numbers stay", e)
	}
	if e := rep.Checks["disk:path"]; len(e) != 1 || e[0].ObservedValue != nil {
		t.Errorf("disk path entry %+v: a text value is withheld", e)
	}

	// With the token, everything is there.
	for _, tt := range []struct{ target, want string }{
		{"/readyz?verbose", "[-]postgres failed: connect: user=alice host=db.internal:5432"},
		{"/readyz/redis", "ok"},
		{"/readyz/redis?verbose", "[+]redis ok (warn: PING cache.internal:6379 slow)"},
		{"/startupz/model", "[-]model failed: loading /models/secret-weights.gguf"},
		{"/healthz", `"observedValue": "/var/lib/flywheel"`},
	} {
		rec := httptest.NewRecorder()
		r := httptest.NewRequest(http.MethodGet, tt.target, nil)
		r.Header.Set("Authorization", "Bearer tok")
		h.ServeHTTP(rec, r)
		if !strings.Contains(rec.Body.String(), tt.want) {
			t.Errorf("GET %s with the token = %q, want it to contain %q", tt.target, rec.Body.String(), tt.want)
		}
		if strings.Contains(rec.Body.String(), "withheld") {
			t.Errorf("GET %s with the token still withholds:\n%s", tt.target, rec.Body.String())
		}
	}
}

// Without ShowDetails (the library's default) every request sees the
// details, as before.
func TestDetailsShownByDefault(t *testing.T) {
	t.Parallel()
	c := probeFixture(t)
	if _, body := get(t, c.Handler(), "/readyz/redis"); !strings.Contains(body, "connection refused") {
		t.Errorf("GET /readyz/redis = %q", body)
	}
	if _, body := get(t, c.Handler(), "/healthz"); strings.Contains(body, "withheld") || strings.Contains(body, `"notes"`) {
		t.Errorf("GET /healthz withholds without ShowDetails:\n%s", body)
	}
}
