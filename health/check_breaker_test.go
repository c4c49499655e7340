package health

import (
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"
)

func TestBreakerCheck(t *testing.T) {
	t.Parallel()
	until := time.Date(2025, 1, 2, 3, 5, 0, 0, time.UTC)
	tests := []struct {
		name    string
		states  []BreakerStatus
		want    Status
		wantOut string
	}{
		{"none", nil, StatusPass, ""},
		{"all closed", []BreakerStatus{{Name: "llama", State: "closed"}, {Name: "remote", State: "half-open"}}, StatusPass, ""},
		{"one open", []BreakerStatus{{Name: "llama", State: "closed"}, {Name: "remote", State: "open", Open: true, OpenUntil: until}},
			StatusWarn, "breaker remote open until 2025-01-02T03:05:00Z"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			ch := BreakerCheck("breakers", func() []BreakerStatus { return tt.states })
			r := ch.Func(t.Context())
			if r.Status != tt.want || r.Output != tt.wantOut {
				t.Errorf("got %q %q, want %q %q", r.Status, r.Output, tt.want, tt.wantOut)
			}
			if len(r.Measurements) != len(tt.states) {
				t.Errorf("%d measurements, want one per breaker", len(r.Measurements))
			}
		})
	}
}

func TestOpenBreakerWarnsReadinessNeverFails(t *testing.T) {
	t.Parallel()
	var mu sync.Mutex
	states := []BreakerStatus{{Name: "remote", State: "open", Open: true}}
	c, _ := startChecker(t, Options{},
		okCheck("db"),
		BreakerCheck("breakers", func() []BreakerStatus {
			mu.Lock()
			defer mu.Unlock()
			return states
		}),
		Check{Name: "panicky", Func: BreakerCheck("x", func() []BreakerStatus { panic("boom") }).Func, WarnOnly: true},
	)
	for _, n := range []string{"db", "breakers", "panicky"} {
		waitRuns(t, c, n, 1)
	}
	code, body := get(t, c.Handler(), "/readyz?verbose")
	if code != http.StatusOK || !strings.Contains(body, "[+]breakers ok (warn: breaker remote open)") ||
		!strings.Contains(body, "[+]panicky ok (warn: check panicked: boom)") {
		t.Errorf("GET /readyz?verbose = %d %q", code, body)
	}
	rep := c.Report()
	if e := rep.Checks["remote:circuitBreaker"]; len(e) != 1 || e[0].ObservedValue != "open" || e[0].Status != StatusWarn {
		t.Errorf("report entry %+v", e)
	}
}
