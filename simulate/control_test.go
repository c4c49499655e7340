package simulate

import (
	"context"
	"net/http"
	"reflect"
	"testing"
	"time"
)

func TestControlFaults(t *testing.T) {
	t.Parallel()
	h := start(t, Config{Models: []string{"m"}, Faults: Faults{TTFT: 50 * time.Millisecond, TokensPerSecond: 100}})
	get := func() map[string]any {
		t.Helper()
		r := h.do("GET", "/_sim/faults", "")
		if r.status != http.StatusOK {
			t.Fatalf("GET /_sim/faults: %d %s", r.status, r.body)
		}
		return decode[map[string]any](t, r.body)
	}
	want := map[string]any{"error_rate": 0.0, "status": 500.0, "retry_after": 0.0, "hang": false, "reset": false,
		"cut_after_chunks": 0.0, "loading_for": "0s", "ttft": "50ms", "tokens_per_second": 100.0}
	check := func(when string, changes map[string]any) {
		t.Helper()
		for k, v := range changes {
			want[k] = v
		}
		got := get()
		if len(got) != len(want) {
			t.Errorf("%s: faults %v, want %v", when, got, want)
		}
		for k, v := range want {
			if got[k] != v {
				t.Errorf("%s: %s = %v, want %v", when, k, got[k], v)
			}
		}
	}
	check("at start", nil)

	for _, step := range []struct {
		name, body string
		changes    map[string]any
	}{
		{"one field", `{"error_rate":0.25}`, map[string]any{"error_rate": 0.25}},
		{"other fields keep their values", `{"status":429,"retry_after":9}`, map[string]any{"status": 429.0, "retry_after": 9.0}},
		{"durations as strings", `{"ttft":"1.5s"}`, map[string]any{"ttft": "1.5s"}},
		{"durations as seconds", `{"ttft":0.25}`, map[string]any{"ttft": "250ms"}},
		{"booleans and counts", `{"hang":true,"reset":true,"cut_after_chunks":4,"tokens_per_second":0}`,
			map[string]any{"hang": true, "reset": true, "cut_after_chunks": 4.0, "tokens_per_second": 0.0}},
		{"reset_all then a field", `{"reset_all":true,"cut_after_chunks":2}`,
			map[string]any{"error_rate": 0.0, "status": 500.0, "retry_after": 0.0, "hang": false, "reset": false,
				"cut_after_chunks": 2.0, "ttft": "50ms", "tokens_per_second": 100.0}},
	} {
		r := h.do("POST", "/_sim/faults", step.body)
		if r.status != http.StatusOK {
			t.Fatalf("%s: POST %s = %d %s", step.name, step.body, r.status, r.body)
		}
		check(step.name, step.changes)
	}

	// What GET shows can be posted back.
	h.do("POST", "/_sim/faults", `{"loading_for":"1m","error_rate":0.5}`)
	shown := h.do("GET", "/_sim/faults", "")
	if r := h.do("POST", "/_sim/faults", string(shown.body)); r.status != http.StatusOK {
		t.Errorf("posting GET's output back: %d %s", r.status, r.body)
	}

	r := h.do("DELETE", "/_sim/faults", "")
	if r.status != http.StatusOK {
		t.Fatalf("DELETE: %d %s", r.status, r.body)
	}
	check("after DELETE", map[string]any{"error_rate": 0.0, "cut_after_chunks": 0.0, "loading_for": "0s", "ttft": "50ms", "tokens_per_second": 100.0})
	if r := h.do("GET", "/health", ""); r.status != http.StatusOK {
		t.Errorf("healthy after DELETE: %d", r.status)
	}
}

func TestControlValidation(t *testing.T) {
	t.Parallel()
	h := start(t, Config{Models: []string{"m"}, Faults: Faults{Status: 503, ErrorRate: 0.1}})
	before := string(h.do("GET", "/_sim/faults", "").body)
	for _, tt := range []struct{ name, body, msg string }{
		{"empty body", "", "empty body"},
		{"not JSON", "error_rate=1", "faults:"},
		{"unknown field", `{"error_rat":1}`, `unknown field "error_rat"`},
		{"trailing data", `{"hang":true} {"reset":true}`, "trailing data"},
		{"error_rate above 1", `{"error_rate":1.5}`, "error_rate 1.5: must be between 0 and 1"},
		{"negative error_rate", `{"error_rate":-1}`, "error_rate"},
		{"status below 400", `{"status":200}`, "status 200: must be between 400 and 599"},
		{"status above 599", `{"status":600}`, "status 600"},
		{"negative retry_after", `{"retry_after":-1}`, "retry_after -1"},
		{"negative cut_after_chunks", `{"cut_after_chunks":-2}`, "cut_after_chunks -2"},
		{"negative loading_for", `{"loading_for":"-1s"}`, "loading_for"},
		{"bad duration", `{"ttft":"fast"}`, `duration "fast"`},
		{"duration of the wrong type", `{"ttft":true}`, "want a string"},
		{"negative tokens_per_second", `{"tokens_per_second":-5}`, "tokens_per_second"},
		{"wrong type", `{"hang":"yes"}`, "hang"},
		{"a valid field does not rescue an invalid one", `{"hang":true,"status":99}`, "status 99"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			wantError(t, h.do("POST", "/_sim/faults", tt.body), http.StatusBadRequest, "invalid_faults", tt.msg)
		})
	}
	if after := string(h.do("GET", "/_sim/faults", "").body); after != before {
		t.Errorf("rejected posts changed the faults:\n%s\n%s", before, after)
	}
	for _, tt := range []struct {
		method, path string
		status       int
		code, allow  string
	}{
		{"PUT", "/_sim/faults", 405, "method_not_allowed", "GET, POST, DELETE"},
		{"POST", "/_sim/stats", 405, "method_not_allowed", "GET, DELETE"},
		{"GET", "/_sim/nothing", 404, "unknown_url", ""},
	} {
		r := h.do(tt.method, tt.path, "{}")
		wantError(t, r, tt.status, tt.code, "")
		if r.header.Get("Allow") != tt.allow {
			t.Errorf("%s %s: Allow %q, want %q", tt.method, tt.path, r.header.Get("Allow"), tt.allow)
		}
	}
}

// TestControlUnaffectedByFaults checks that the control API answers while
// the API hangs, resets or loads, so that a test can always heal it.
func TestControlUnaffectedByFaults(t *testing.T) {
	t.Parallel()
	h := start(t, Config{Faults: Faults{Hang: true, Reset: true, LoadingFor: time.Hour, ErrorRate: 1}})
	for _, path := range []string{"/_sim/faults", "/_sim/stats"} {
		if r := h.do("GET", path, ""); r.status != http.StatusOK {
			t.Errorf("GET %s under faults: %d", path, r.status)
		}
	}
}

func TestStats(t *testing.T) {
	t.Parallel()
	h := start(t, Config{Models: []string{"m"}, MaxBodyBytes: 100})
	h.do("POST", "/v1/chat/completions", chatBody)
	h.do("POST", "/v1/chat/completions", `{"model":"m","stream":true,"messages":[{"role":"user","content":"x"}]}`)
	h.do("POST", "/v1/completions", `{"model":"nope","prompt":"x"}`)
	h.do("POST", "/v1/embeddings", `{"model":"m","input":"x"}`)
	h.do("GET", "/v1/models", "")
	h.do("GET", "/v1/models/m", "")
	h.do("GET", "/health", "")
	h.do("GET", "/v2/whatever", "")
	h.do("POST", "/v1/chat/completions", `{"model":"m","messages":[{"role":"user","content":"this body is longer than the hundred bytes that this simulator accepts"}]}`)
	h.do("GET", "/_sim/faults", "")
	h.do("POST", "/_sim/faults", `{"error_rate":1}`)
	h.do("POST", "/v1/chat/completions", chatBody)

	r := h.do("GET", "/_sim/stats", "")
	if r.status != http.StatusOK {
		t.Fatalf("GET /_sim/stats: %d %s", r.status, r.body)
	}
	st := decode[Stats](t, r.body)
	want := Stats{
		Requests: 10, InFlight: 0, Completed: 6, Streams: 1, ErrorsInjected: 1, BadRequests: 3,
		ByPath: map[string]int64{"/v1/chat/completions": 4, "/v1/completions": 1, "/v1/embeddings": 1,
			"/v1/models": 2, "/health": 1, "other": 1},
	}
	if len(st.ByPath) != len(want.ByPath) {
		t.Errorf("by_path %v, want %v", st.ByPath, want.ByPath)
	}
	for k, v := range want.ByPath {
		if st.ByPath[k] != v {
			t.Errorf("by_path[%s] = %d, want %d", k, st.ByPath[k], v)
		}
	}
	st.ByPath, want.ByPath = nil, nil
	if !reflect.DeepEqual(st, want) {
		t.Errorf("stats\n got %+v\nwant %+v", st, want)
	}

	if r := h.do("DELETE", "/_sim/stats", ""); r.status != http.StatusOK {
		t.Fatalf("DELETE /_sim/stats: %d", r.status)
	}
	st = h.srv.Stats()
	if st.Requests != 0 || st.Completed != 0 || st.ErrorsInjected != 0 || st.BadRequests != 0 {
		t.Errorf("after DELETE: %+v", st)
	}
}

// TestStatsCountCancellations checks each place a request can be
// abandoned: waiting for a non-streamed answer, for the first token, and
// during a hang.
func TestStatsCountCancellations(t *testing.T) {
	t.Parallel()
	h := start(t, Config{Models: []string{"m"}, Faults: Faults{TTFT: time.Minute}})
	for i, body := range []string{
		chatBody,
		`{"model":"m","prompt":"x"}`,
		`{"model":"m","stream":true,"messages":[{"role":"user","content":"x"}]}`,
	} {
		path := "/v1/chat/completions"
		if i == 1 {
			path = "/v1/completions"
		}
		ctx, cancel := context.WithCancel(context.Background())
		done := h.async(ctx, "POST", path, body)
		h.waitTimer()
		cancel()
		<-done
		h.waitStats("the cancellation", func(s Stats) bool { return s.Cancellations == int64(i+1) && s.InFlight == 0 })
	}
	if st := h.srv.Stats(); st.Requests != 3 || st.Completed != 0 {
		t.Errorf("stats %+v", st)
	}
}
