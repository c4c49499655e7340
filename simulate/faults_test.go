package simulate

import (
	"context"
	"net/http"
	"testing"
	"time"
)

const chatBody = `{"model":"m","messages":[{"role":"user","content":"hello"}]}`

func TestErrorRate(t *testing.T) {
	t.Parallel()
	for _, tt := range []struct {
		name       string
		faults     Faults
		status     int
		code       string
		errType    string
		retryAfter string
	}{
		{"429 with retry_after", Faults{ErrorRate: 1, Status: 429, RetryAfter: 7}, 429, "rate_limit_exceeded", "requests", "7"},
		{"503 with retry_after", Faults{ErrorRate: 1, Status: 503, RetryAfter: 3}, 503, "", "server_error", "3"},
		{"500 never carries Retry-After", Faults{ErrorRate: 1, Status: 500, RetryAfter: 3}, 500, "", "server_error", ""},
		{"status 0 means 500", Faults{ErrorRate: 1}, 500, "", "server_error", ""},
		{"502", Faults{ErrorRate: 1, Status: 502}, 502, "", "server_error", ""},
		{"a 4xx is the client's kind of error", Faults{ErrorRate: 1, Status: 400}, 400, "", "invalid_request_error", ""},
		{"429 without retry_after", Faults{ErrorRate: 1, Status: 429}, 429, "rate_limit_exceeded", "requests", ""},
	} {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			h := start(t, Config{Models: []string{"m"}, Faults: tt.faults})
			for _, req := range []struct{ method, path, body string }{
				{"POST", "/v1/chat/completions", chatBody},
				{"POST", "/v1/completions", `{"model":"m","prompt":"x","stream":true}`},
				{"POST", "/v1/embeddings", `{"model":"m","input":"x"}`},
				{"GET", "/v1/models", ""},
			} {
				r := h.do(req.method, req.path, req.body)
				wantError(t, r, tt.status, tt.code, "")
				if e := decode[errorBody](t, r.body); e.Error.Type != tt.errType {
					t.Errorf("%s: type %q, want %q", req.path, e.Error.Type, tt.errType)
				}
				if got := r.header.Get("Retry-After"); got != tt.retryAfter {
					t.Errorf("%s: Retry-After %q, want %q", req.path, got, tt.retryAfter)
				}
			}
			// /health reports the process, not the injected errors.
			if r := h.do("GET", "/health", ""); r.status != http.StatusOK {
				t.Errorf("/health under error_rate: %d", r.status)
			}
			if st := h.srv.Stats(); st.ErrorsInjected != 4 || st.Completed != 1 {
				t.Errorf("stats %+v", st)
			}
		})
	}
}

// TestErrorRateIsSeeded checks that a seed fixes which requests fail, and
// that the rate is roughly honoured.
func TestErrorRateIsSeeded(t *testing.T) {
	t.Parallel()
	outcomes := func(seed uint64) []int {
		h := start(t, Config{Models: []string{"m"}, Seed: seed, Faults: Faults{ErrorRate: 0.3, Status: 503}})
		out := make([]int, 200)
		for i := range out {
			out[i] = h.do("POST", "/v1/chat/completions", chatBody).status
		}
		return out
	}
	a, b, c := outcomes(42), outcomes(42), outcomes(43)
	failed, same, differ := 0, true, false
	for i := range a {
		if a[i] == 503 {
			failed++
		} else if a[i] != 200 {
			t.Fatalf("request %d: status %d", i, a[i])
		}
		same = same && a[i] == b[i]
		differ = differ || a[i] != c[i]
	}
	if !same {
		t.Error("the same seed failed different requests")
	}
	if !differ {
		t.Error("another seed failed exactly the same requests")
	}
	if failed < 30 || failed > 90 { // 60 expected; the binomial sd is 6.5
		t.Errorf("%d of 200 failed at error_rate 0.3", failed)
	}
}

func TestHang(t *testing.T) {
	t.Parallel()
	for _, tt := range []struct{ name, method, path, body string }{
		{"chat", "POST", "/v1/chat/completions", chatBody},
		{"stream", "POST", "/v1/chat/completions", `{"model":"m","stream":true,"messages":[{"role":"user","content":"x"}]}`},
		{"health", "GET", "/health", ""},
	} {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			h := start(t, Config{Models: []string{"m"}, Faults: Faults{Hang: true}})
			ctx, cancel := context.WithCancel(context.Background())
			done := h.async(ctx, tt.method, tt.path, tt.body)
			h.waitStats("the hang", func(s Stats) bool { return s.Hangs == 1 && s.InFlight == 1 })
			select {
			case r := <-done:
				t.Fatalf("a hung request was answered: %+v", r)
			default:
			}
			cancel()
			if r := <-done; r.err == nil {
				t.Fatalf("the client saw an answer: %d %s", r.status, r.body)
			}
			st := h.waitStats("the cancellation", func(s Stats) bool { return s.Cancellations == 1 && s.InFlight == 0 })
			if st.Completed != 0 {
				t.Errorf("stats %+v", st)
			}
		})
	}
}

// TestHangEndsAtShutdown checks that stopping the simulator ends hung
// requests instead of waiting for their clients.
func TestHangEndsAtShutdown(t *testing.T) {
	t.Parallel()
	srv, err := New(Config{Faults: Faults{Hang: true}})
	if err != nil {
		t.Fatal(err)
	}
	url, shutdown, err := srv.Listen(context.Background(), "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	tr := &http.Transport{}
	defer tr.CloseIdleConnections()
	errc := make(chan error, 1)
	go func() {
		resp, err := (&http.Client{Transport: tr}).Post(url+"/v1/chat/completions", "application/json", nil)
		if err == nil {
			resp.Body.Close()
		}
		errc <- err
	}()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	if _, err := srv.WaitStats(ctx, func(s Stats) bool { return s.Hangs == 1 }); err != nil {
		t.Fatal(err)
	}
	if err := shutdown(ctx); err != nil {
		t.Fatalf("shutdown with a hung request: %v", err)
	}
	if err := <-errc; err == nil {
		t.Error("the hung client got an answer")
	}
	if st := srv.Stats(); st.Cancellations != 1 || st.InFlight != 0 {
		t.Errorf("stats %+v", st)
	}
}

func TestReset(t *testing.T) {
	t.Parallel()
	h := start(t, Config{Models: []string{"m"}, Faults: Faults{Reset: true}})
	for _, tt := range []struct{ method, path, body string }{
		{"POST", "/v1/chat/completions", chatBody},
		{"POST", "/v1/embeddings", `{"model":"m","input":"x"}`},
		{"GET", "/v1/models", ""},
		{"GET", "/health", ""},
	} {
		if r, err := h.try(context.Background(), tt.method, tt.path, tt.body); err == nil {
			t.Errorf("%s %s: got %d %s, want a broken connection", tt.method, tt.path, r.status, r.body)
		}
	}
	if st := h.srv.Stats(); st.Resets < 4 || st.Completed != 0 {
		t.Errorf("stats %+v", st)
	}
	// The control API still answers, and clearing the fault heals it.
	if r := h.do("DELETE", "/_sim/faults", ""); r.status != http.StatusOK {
		t.Fatalf("DELETE /_sim/faults: %d %s", r.status, r.body)
	}
	if r := h.do("POST", "/v1/chat/completions", chatBody); r.status != http.StatusOK {
		t.Errorf("after the reset fault is cleared: %d %s", r.status, r.body)
	}
}

func TestLoadingFor(t *testing.T) {
	t.Parallel()
	h := start(t, Config{Models: []string{"m"}, Faults: Faults{LoadingFor: 30 * time.Second, RetryAfter: 5}})
	loading := func(when string) {
		t.Helper()
		for _, req := range []struct{ method, path, body string }{
			{"GET", "/health", ""}, {"POST", "/v1/chat/completions", chatBody}, {"GET", "/v1/models", ""},
		} {
			r := h.do(req.method, req.path, req.body)
			if r.status != http.StatusServiceUnavailable ||
				compact(t, string(r.body)) != `{"error":{"code":503,"message":"Loading model","type":"unavailable_error"}}` {
				t.Errorf("%s: %s %s = %d %s, want llama.cpp's 503 Loading model", when, req.method, req.path, r.status, r.body)
			}
			if got := r.header.Get("Retry-After"); got != "5" {
				t.Errorf("%s: %s Retry-After %q, want 5", when, req.path, got)
			}
		}
	}
	loading("at start")
	f := decode[map[string]any](t, h.do("GET", "/_sim/faults", "").body)
	if f["loading_for"] != "30s" || f["loading_until"] != testStart.Add(30*time.Second).Format(time.RFC3339) {
		t.Errorf("faults while loading: %v", f)
	}
	h.clk.Advance(30*time.Second - time.Nanosecond)
	loading("just before the end")
	h.clk.Advance(time.Nanosecond)
	if r := h.do("GET", "/health", ""); r.status != http.StatusOK {
		t.Errorf("/health after loading: %d %s", r.status, r.body)
	}
	if r := h.do("POST", "/v1/chat/completions", chatBody); r.status != http.StatusOK {
		t.Errorf("chat after loading: %d %s", r.status, r.body)
	}
	if _, ok := decode[map[string]any](t, h.do("GET", "/_sim/faults", "").body)["loading_until"]; ok {
		t.Error("loading_until still shown after the loading period")
	}
	if st := h.srv.Stats(); st.LoadingRejected != 6 {
		t.Errorf("loading_rejected %d, want 6", st.LoadingRejected)
	}

	// Setting loading_for over HTTP starts a new period from now.
	if r := h.do("POST", "/_sim/faults", `{"loading_for":"10s"}`); r.status != http.StatusOK {
		t.Fatalf("POST loading_for: %d %s", r.status, r.body)
	}
	loading("after POST loading_for")
	h.clk.Advance(10 * time.Second)
	if r := h.do("GET", "/health", ""); r.status != http.StatusOK {
		t.Errorf("/health after the second loading period: %d", r.status)
	}
}

// TestFaultsInCode checks SetFaults, UpdateFaults and ResetFaults.
func TestFaultsInCode(t *testing.T) {
	t.Parallel()
	h := start(t, Config{Models: []string{"m"}, Faults: Faults{TTFT: 10 * time.Millisecond, TokensPerSecond: 50}})
	if err := h.srv.SetFaults(Faults{ErrorRate: 1, Status: 503}); err != nil {
		t.Fatal(err)
	}
	if r := h.do("POST", "/v1/chat/completions", chatBody); r.status != 503 {
		t.Errorf("after SetFaults: %d", r.status)
	}
	if err := h.srv.UpdateFaults(func(f *Faults) { f.Status = 429 }); err != nil {
		t.Fatal(err)
	}
	if f := h.srv.Faults(); f.ErrorRate != 1 || f.Status != 429 || f.TTFT != 0 {
		t.Errorf("after UpdateFaults: %+v", f)
	}
	if err := h.srv.UpdateFaults(func(f *Faults) { f.ErrorRate = 2 }); err == nil {
		t.Error("UpdateFaults accepted error_rate 2")
	}
	if err := h.srv.SetFaults(Faults{TTFT: -time.Second}); err == nil {
		t.Error("SetFaults accepted a negative ttft")
	}
	if f := h.srv.Faults(); f.Status != 429 {
		t.Errorf("a rejected update changed the faults: %+v", f)
	}
	h.srv.ResetFaults()
	if f := h.srv.Faults(); f != (Faults{TTFT: 10 * time.Millisecond, TokensPerSecond: 50}) {
		t.Errorf("ResetFaults should restore the configured speed only: %+v", f)
	}
}

func TestNewRejectsBadConfig(t *testing.T) {
	t.Parallel()
	for _, cfg := range []Config{
		{Faults: Faults{ErrorRate: -0.1}},
		{Faults: Faults{Status: 302}},
		{Dimensions: -1},
		{Dimensions: maxDimensions + 1},
		{MaxBodyBytes: -1},
		{Models: []string{"a", ""}},
	} {
		if _, err := New(cfg); err == nil {
			t.Errorf("New(%+v) accepted", cfg)
		}
	}
}
