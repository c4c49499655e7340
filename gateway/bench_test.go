package gateway

import (
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/flywheel-stack/flywheel/telemetry"
)

// BenchmarkProxyChat measures one non-streamed chat completion through the
// gateway's handler to a local backend: the gateway's own work plus one
// loopback HTTP round trip.
func BenchmarkProxyChat(b *testing.B) {
	local, remote := newFakeBackend(b), newFakeBackend(b)
	h := newHarness(b, twoTargets, nil, local, remote)
	h.gw.sink = telemetry.Sinks(nil) // the test sink keeps every event: its growth would be measured
	mux := http.NewServeMux()
	h.gw.Register(mux)
	body := `{"model":"coder","messages":[{"role":"user","content":"Write a haiku about breakers."}],"max_tokens":16}`
	b.ReportAllocs()
	for b.Loop() {
		req := httptest.NewRequest(http.MethodPost, "/v1/chat/completions", strings.NewReader(body))
		rec := httptest.NewRecorder()
		mux.ServeHTTP(rec, req)
		if rec.Code != 200 {
			b.Fatalf("status %d: %s", rec.Code, rec.Body)
		}
	}
}
