package gateway

import (
	"net/http"
	"strings"
	"testing"
)

// TestTargetFaultFallsBack: 401, 403 and 404 from a backend, and a
// redirect (not followed), fail over to the next target once (no retry on
// the same one) and count as failures.
func TestTargetFaultFallsBack(t *testing.T) {
	t.Parallel()
	for _, status := range []int{401, 403, 404, 302, 307, 308} {
		local, remote := newFakeBackend(t), newFakeBackend(t)
		if status < 400 {
			local.answer(func(w http.ResponseWriter, r *http.Request, _ []byte) {
				http.Redirect(w, r, remote.srv.URL+r.URL.Path, status) // followed, it would reach remote twice
			})
		} else {
			local.answer(statusAnswer(status, ""))
		}
		remote.answer(okAnswer("from remote"))
		h := newHarness(t, twoTargets, nil, local, remote)
		resp, got := h.post(t, "/v1/chat/completions", `{"model":"coder"}`)
		if resp.StatusCode != 200 || resp.Header.Get(HeaderBackend) != "remote" || !strings.Contains(got, "from remote") {
			t.Fatalf("%d from local: client got %d from %q: %s", status, resp.StatusCode, resp.Header.Get(HeaderBackend), got)
		}
		if n := local.calls.Load(); n != 1 {
			t.Fatalf("%d from local: %d calls, want 1 (not retried)", status, n)
		}
		if n := remote.calls.Load(); n != 1 {
			t.Fatalf("%d from local: %d calls to remote, want 1 (the redirect is not followed)", status, n)
		}
		if tot := h.gw.Breakers().Get("local/qwen2.5-coder-7b").Snapshot().Totals; tot.Failures != 1 {
			t.Fatalf("%d from local: breaker %+v", status, tot)
		}
	}
}
