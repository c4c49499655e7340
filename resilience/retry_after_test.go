package resilience_test

import (
	"net/http"
	"testing"
	"time"

	"github.com/flywheel-stack/flywheel/resilience"
)

func TestParseRetryAfter(t *testing.T) {
	t.Parallel()
	now := time.Date(2026, 11, 27, 10, 0, 0, 0, time.UTC)
	tests := []struct {
		name    string
		headers map[string]string
		want    time.Duration
		ok      bool
	}{
		{"delta seconds", map[string]string{"Retry-After": "120"}, 2 * time.Minute, true},
		{"http date", map[string]string{"Retry-After": "Fri, 27 Nov 2026 10:00:30 GMT"}, 30 * time.Second, true},
		{"http date in the past", map[string]string{"Retry-After": "Fri, 27 Nov 2026 09:00:00 GMT"}, 0, true},
		{"negative ignored", map[string]string{"Retry-After": "-5"}, 0, false},
		{"garbage ignored", map[string]string{"Retry-After": "soon"}, 0, false},
		{"retry-after-ms", map[string]string{"Retry-After-Ms": "1500"}, 1500 * time.Millisecond, true},
		{"openai exhausted tokens", map[string]string{"X-Ratelimit-Reset-Requests": "1s", "X-Ratelimit-Remaining-Requests": "10",
			"X-Ratelimit-Reset-Tokens": "6m0s", "X-Ratelimit-Remaining-Tokens": "0"}, 6 * time.Minute, true},
		{"openai exhausted requests", map[string]string{"X-Ratelimit-Reset-Requests": "20ms", "X-Ratelimit-Remaining-Requests": "0",
			"X-Ratelimit-Reset-Tokens": "6m0s", "X-Ratelimit-Remaining-Tokens": "100"}, 20 * time.Millisecond, true},
		{"openai unknown remaining takes later", map[string]string{"X-Ratelimit-Reset-Requests": "2s", "X-Ratelimit-Reset-Tokens": "1s"}, 2 * time.Second, true},
		{"x-ratelimit-reset delta", map[string]string{"X-Ratelimit-Reset": "30"}, 30 * time.Second, true},
		{"x-ratelimit-reset unix time", map[string]string{"X-Ratelimit-Reset": "1795773660"}, 60 * time.Second, true},
		{"ietf ratelimit-reset", map[string]string{"RateLimit-Reset": "5"}, 5 * time.Second, true},
		{"retry-after wins", map[string]string{"Retry-After": "1", "X-Ratelimit-Reset": "30"}, time.Second, true},
		{"none", map[string]string{}, 0, false},
	}
	for _, tc := range tests {
		h := http.Header{}
		for k, v := range tc.headers {
			h.Set(k, v)
		}
		got, ok := resilience.ParseRetryAfter(h, now)
		if ok != tc.ok || (ok && got.Sub(now) != tc.want) {
			t.Errorf("%s: got %v (%s), %v; want +%s, %v", tc.name, got, got.Sub(now), ok, tc.want, tc.ok)
		}
	}
}
