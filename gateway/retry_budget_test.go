package gateway

import (
	"strings"
	"testing"
)

// TestRetriesShareABudgetPerBackend checks that during an outage the
// gateway's retries to one backend are capped by the backend's retry
// budget (at most 10 retries, or a fifth of the calls, per window), so a
// failing backend does not get twice the load it already cannot take.
func TestRetriesShareABudgetPerBackend(t *testing.T) {
	t.Parallel()
	local, remote := newFakeBackend(t), newFakeBackend(t)
	local.answer(statusAnswer(503, ""))
	// twoTargets with a breaker that stays closed: only the budget bounds
	// the retries.
	cfg := strings.Replace(twoTargets, "consecutive_failures: 3,", "consecutive_failures: 1000,", 1)
	h := newHarness(t, cfg, nil, local, remote)
	const requests = 30
	for i := range requests {
		resp, got := h.post(t, "/v1/chat/completions", `{"model":"coder","messages":[]}`)
		if resp.StatusCode != 200 || resp.Header.Get(HeaderBackend) != "remote" {
			t.Fatalf("request %d: %d %s", i, resp.StatusCode, got)
		}
	}
	// Without a budget llm_inference would send every request twice (60
	// calls); the budget allows the first tries plus 10 retries.
	if n := local.calls.Load(); n > requests+10 || n < requests+1 {
		t.Fatalf("local saw %d calls for %d requests, want between %d and %d", n, requests, requests+1, requests+10)
	}
}
