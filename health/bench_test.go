package health

import (
	"net/http"
	"net/http/httptest"
	"testing"
)

// BenchmarkReadyz measures /readyz served from the cache.
func BenchmarkReadyz(b *testing.B) {
	c, _ := newChecker(b, Options{},
		okCheck("postgres"), okCheck("redis"), okCheck("llama"), okCheck("ollama"),
		BreakerCheck("breakers", func() []BreakerStatus { return nil }))
	for _, n := range []string{"postgres", "redis", "llama", "ollama", "breakers"} {
		set(b, c, n, pass)
	}
	h := c.Handler()
	req := httptest.NewRequest(http.MethodGet, "/readyz", nil)
	b.ReportAllocs()
	for b.Loop() {
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, req)
		if rec.Code != http.StatusOK {
			b.Fatalf("code %d", rec.Code)
		}
	}
}

// BenchmarkReadyzHandlerOnly measures the probe handler without the
// ServeMux in front of it.
func BenchmarkReadyzHandlerOnly(b *testing.B) {
	c, _ := newChecker(b, Options{}, okCheck("postgres"), okCheck("redis"))
	set(b, c, "postgres", pass)
	set(b, c, "redis", pass)
	h := c.ProbeHandler(Readiness)
	req := httptest.NewRequest(http.MethodGet, "/readyz", nil)
	b.ReportAllocs()
	for b.Loop() {
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, req)
	}
}

// BenchmarkReadyzVerbose measures the verbose listing.
func BenchmarkReadyzVerbose(b *testing.B) {
	c := probeFixtureB(b)
	h := c.Handler()
	req := httptest.NewRequest(http.MethodGet, "/readyz?verbose", nil)
	b.ReportAllocs()
	for b.Loop() {
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, req)
	}
}

func probeFixtureB(b *testing.B) *Checker {
	c, _ := newChecker(b, Options{}, okCheck("postgres"), Check{Name: "redis", Func: newScript(pass).run, NonCritical: true})
	set(b, c, "postgres", pass)
	set(b, c, "redis", fail)
	return c
}
