package gateway

import (
	"context"
	"encoding/json"
	"io"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/flywheel-stack/flywheel/telemetry"
)

func TestProxyRewritesModelOnly(t *testing.T) {
	t.Parallel()
	local, remote := newFakeBackend(t), newFakeBackend(t)
	h := newHarness(t, twoTargets, nil, local, remote)
	body := `{"model":"coder","messages":[{"role":"user","content":"hi"}],"temperature":0.2,"tools":[{"type":"function"}],"user":"ana"}`
	resp, got := h.post(t, "/v1/chat/completions", body, "Authorization", "Bearer client-key")
	if resp.StatusCode != 200 || !strings.Contains(got, `"content":"hello"`) {
		t.Fatalf("%d %s", resp.StatusCode, got)
	}
	want := `{"model":"qwen2.5-coder-7b","messages":[{"role":"user","content":"hi"}],"temperature":0.2,"tools":[{"type":"function"}],"user":"ana"}`
	if b := local.lastBody(); b != want {
		t.Fatalf("backend got\n%s\nwant\n%s", b, want)
	}
	if local.auth[0] != "" {
		t.Fatalf("the client's key leaked to the backend: %q", local.auth[0])
	}
	if resp.Header.Get(HeaderBackend) != "local" || resp.Header.Get(HeaderAttempts) != "1" ||
		len(resp.Header.Get(HeaderInferenceID)) != 36 || resp.Header.Get(HeaderDegraded) != "" {
		t.Fatalf("headers %v", resp.Header)
	}
	ev := h.lastEvent(t, 1)
	if ev.Status != telemetry.StatusOK || ev.Route != "coder" || ev.Backend != "local" || ev.TokensIn != 7 || ev.TokensOut != 3 ||
		ev.User != "ana" || ev.InferenceID != resp.Header.Get(HeaderInferenceID) {
		t.Fatalf("event %+v", ev)
	}
}

func TestProxyFallsBackAndOpensBreaker(t *testing.T) {
	t.Parallel()
	local, remote := newFakeBackend(t), newFakeBackend(t)
	local.answer(statusAnswer(503, ""))
	remote.answer(okAnswer("from remote"))
	h := newHarness(t, twoTargets, map[string]string{"REMOTE_KEY": "sk-remote"}, local, remote)
	for i := 1; i <= 3; i++ {
		resp, got := h.post(t, "/v1/chat/completions", `{"model":"coder","messages":[]}`)
		if resp.StatusCode != 200 || !strings.Contains(got, "from remote") || resp.Header.Get(HeaderBackend) != "remote" {
			t.Fatalf("request %d: %d %s %v", i, resp.StatusCode, got, resp.Header)
		}
	}
	// llm_inference retries a 503 once: 2 + 1 calls open the breaker
	// (3 consecutive failures); the third request never reaches local.
	if n := local.calls.Load(); n != 3 {
		t.Fatalf("local saw %d calls, want 3", n)
	}
	if remote.auth[0] != "Bearer sk-remote" {
		t.Fatalf("remote key not sent: %q", remote.auth[0])
	}
	if !strings.Contains(remote.lastBody(), `"model":"gpt-4o-mini"`) {
		t.Fatalf("remote body %s", remote.lastBody())
	}
	ev := h.lastEvent(t, 3)
	if ev.FallbackDepth != 1 || ev.Attempts != 1 {
		t.Fatalf("third event %+v, want the fallback at depth 1 after the rejected local", ev)
	}
	if s, _ := h.gw.Breakers().Lookup("local/qwen2.5-coder-7b"); s.Snapshot().State.String() != "open" {
		t.Fatalf("breaker %s", s.Snapshot().State)
	}
}

func TestProxyDegradedWithRetryAfter(t *testing.T) {
	t.Parallel()
	local, remote := newFakeBackend(t), newFakeBackend(t)
	local.answer(statusAnswer(429, "120"))
	remote.answer(statusAnswer(503, "30"))
	h := newHarness(t, twoTargets, nil, local, remote)
	resp, got := h.post(t, "/v1/chat/completions", `{"model":"coder"}`)
	if resp.StatusCode != 503 || resp.Header.Get(HeaderDegraded) != "true" {
		t.Fatalf("%d %v %s", resp.StatusCode, resp.Header, got)
	}
	var e struct {
		Error struct{ Message, Type, Code string }
	}
	if err := json.Unmarshal([]byte(got), &e); err != nil || e.Error.Message != "The assistant is degraded; retry shortly." {
		t.Fatalf("body %s (%v)", got, err)
	}
	// Both breakers are held open by the Retry-After headers; the earliest
	// reopen (remote, 30 s) is what the client is told.
	if ra := resp.Header.Get("Retry-After"); ra != "30" {
		t.Fatalf("Retry-After %q, want 30", ra)
	}
	if local.calls.Load() != 1 || remote.calls.Load() != 1 {
		t.Fatalf("calls local %d remote %d: a held-open breaker must stop the retry", local.calls.Load(), remote.calls.Load())
	}
	resp, _ = h.post(t, "/v1/chat/completions", `{"model":"coder"}`)
	if resp.StatusCode != 503 || local.calls.Load() != 1 || remote.calls.Load() != 1 {
		t.Fatalf("second request reached a backend held open: %d, %d/%d", resp.StatusCode, local.calls.Load(), remote.calls.Load())
	}
}

func TestProxyStreams(t *testing.T) {
	t.Parallel()
	local, remote := newFakeBackend(t), newFakeBackend(t)
	local.answer(streamAnswer(5, -1))
	h := newHarness(t, twoTargets, nil, local, remote)
	resp, got := h.post(t, "/v1/chat/completions", `{"model":"coder","stream":true}`)
	if resp.StatusCode != 200 || resp.Header.Get("Content-Type") != "text/event-stream" {
		t.Fatalf("%d %v", resp.StatusCode, resp.Header)
	}
	if !strings.HasSuffix(got, "data: [DONE]\n\n") || strings.Count(got, "chat.completion.chunk") != 5 {
		t.Fatalf("stream:\n%s", got)
	}
	if strings.Contains(got, `"usage"`) {
		t.Fatalf("the usage chunk the gateway asked for reached a client that did not ask:\n%s", got)
	}
	if !strings.Contains(local.lastBody(), `"stream_options":{"include_usage":true}`) {
		t.Fatalf("include_usage not requested: %s", local.lastBody())
	}
	ev := h.lastEvent(t, 1)
	if ev.Status != telemetry.StatusOK || ev.TokensOut != 5 || !ev.Stream || ev.TimeToFirstToken <= 0 {
		t.Fatalf("event %+v", ev)
	}

	// A client that asks for usage gets the chunk.
	_, got = h.post(t, "/v1/chat/completions", `{"model":"coder","stream":true,"stream_options":{"include_usage":true}}`)
	if !strings.Contains(got, `"usage"`) {
		t.Fatalf("asked-for usage chunk missing:\n%s", got)
	}
}

func TestProxyStreamCutMidway(t *testing.T) {
	t.Parallel()
	local, remote := newFakeBackend(t), newFakeBackend(t)
	local.answer(streamAnswer(5, 2))
	h := newHarness(t, twoTargets, nil, local, remote)
	resp, got := h.post(t, "/v1/chat/completions", `{"model":"coder","stream":true}`)
	if resp.StatusCode != 200 {
		t.Fatalf("status %d", resp.StatusCode)
	}
	if strings.Contains(got, "data: [DONE]") || !strings.Contains(got, `data: {"error":{"message":"The upstream stream failed after it started`) ||
		strings.Count(got, "chat.completion.chunk") != 2 {
		t.Fatalf("cut stream:\n%s", got)
	}
	if remote.calls.Load() != 0 {
		t.Fatal("a stream that had started must not be replayed on another target")
	}
	ev := h.lastEvent(t, 1)
	if ev.Status != telemetry.StatusBackendError || ev.ErrorClass != "stream_cut" {
		t.Fatalf("event %+v", ev)
	}
	if tot := h.gw.Breakers().Get("local/qwen2.5-coder-7b").Snapshot().Totals; tot.Failures != 1 {
		t.Fatalf("a cut stream is a failure: %+v", tot)
	}
}

func TestProxyStreamFailureBeforeFirstChunkFallsBack(t *testing.T) {
	t.Parallel()
	local, remote := newFakeBackend(t), newFakeBackend(t)
	local.answer(streamAnswer(5, 0))
	remote.answer(streamAnswer(3, -1))
	h := newHarness(t, twoTargets, nil, local, remote)
	resp, got := h.post(t, "/v1/chat/completions", `{"model":"coder","stream":true}`)
	if resp.StatusCode != 200 || resp.Header.Get(HeaderBackend) != "remote" || !strings.HasSuffix(got, "data: [DONE]\n\n") {
		t.Fatalf("%d %v\n%s", resp.StatusCode, resp.Header, got)
	}
}

func TestProxyClientCancelIsNotAFailure(t *testing.T) {
	t.Parallel()
	local, remote := newFakeBackend(t), newFakeBackend(t)
	local.answer(local.hangAnswer())
	h := newHarness(t, twoTargets, nil, local, remote)
	ctx, cancel := context.WithCancel(context.Background())
	req, _ := http.NewRequestWithContext(ctx, http.MethodPost, h.srv.URL+"/v1/chat/completions", strings.NewReader(`{"model":"coder"}`))
	done := make(chan error, 1)
	go func() {
		resp, err := http.DefaultClient.Do(req)
		if err == nil {
			resp.Body.Close()
		}
		done <- err
	}()
	deadline := time.After(5 * time.Second)
	for local.calls.Load() == 0 {
		select {
		case <-deadline:
			t.Fatal("request never reached the backend")
		case <-time.After(time.Millisecond):
		}
	}
	cancel()
	select {
	case <-local.cancel:
	case <-time.After(5 * time.Second):
		t.Fatal("the backend never saw the cancellation")
	}
	<-done
	ev := h.lastEvent(t, 1)
	tot := h.gw.Breakers().Get("local/qwen2.5-coder-7b").Snapshot().Totals
	if ev.Status != telemetry.StatusCancelled || tot.Failures != 0 || remote.calls.Load() != 0 {
		t.Fatalf("event %+v, breaker %+v, remote calls %d", ev, tot, remote.calls.Load())
	}
}

func TestProxyFirstTokenTimeout(t *testing.T) {
	t.Parallel()
	local, remote := newFakeBackend(t), newFakeBackend(t)
	local.answer(local.hangAnswer())
	yaml := strings.Replace(twoTargets, "    breaker: {consecutive_failures: 3, open_for: 1h}",
		"    breaker: {consecutive_failures: 3, open_for: 1h}\n    timeouts: {first_token: 50ms}\n", 1)
	h := newHarness(t, yaml, nil, local, remote)
	resp, got := h.post(t, "/v1/chat/completions", `{"model":"coder"}`)
	if resp.StatusCode != 200 || resp.Header.Get(HeaderBackend) != "remote" {
		t.Fatalf("%d %v %s", resp.StatusCode, resp.Header, got)
	}
	if tot := h.gw.Breakers().Get("local/qwen2.5-coder-7b").Snapshot().Totals; tot.Failures != 1 || local.calls.Load() != 1 {
		t.Fatalf("a timed-out target is a failure and is not retried before the fallback: %+v, %d calls", tot, local.calls.Load())
	}
}

func TestBadInput(t *testing.T) {
	t.Parallel()
	local, remote := newFakeBackend(t), newFakeBackend(t)
	yaml := "server: {api_keys_env: KEYS, admin_token_env: ADMIN, max_body_bytes: 1KiB}\n" + twoTargets
	h := newHarness(t, yaml, map[string]string{"KEYS": "k1, k2", "ADMIN": "root-token"}, local, remote)
	auth := []string{"Authorization", "Bearer k2"}
	tests := []struct {
		name, path, body string
		hdr              []string
		status           int
		code             string
		contains         string
	}{
		{"malformed json", "/v1/chat/completions", `{"model":`, auth, 400, "invalid_json", "could not parse"},
		{"not an object", "/v1/chat/completions", `[1]`, auth, 400, "invalid_json", "must be a JSON object"},
		{"missing model", "/v1/chat/completions", `{"messages":[]}`, auth, 400, "missing_model", "model parameter"},
		{"unknown model", "/v1/chat/completions", `{"model":"gpt-5"}`, auth, 404, "model_not_found", "coder, local/qwen2.5-coder-7b, remote/gpt-4o-mini"},
		{"too large", "/v1/chat/completions", `{"model":"coder","x":"` + strings.Repeat("a", 2000) + `"}`, auth, 413, "request_too_large", "1024 bytes"},
		{"no key", "/v1/chat/completions", `{"model":"coder"}`, nil, 401, "invalid_api_key", "didn't provide"},
		{"wrong key", "/v1/chat/completions", `{"model":"coder"}`, []string{"Authorization", "Bearer k3"}, 401, "invalid_api_key", "Incorrect"},
		{"wrong admin token", "/admin/v1/breakers/local/qwen2.5-coder-7b/open", ``, auth, 401, "invalid_admin_token", "admin token"},
	}
	for _, tc := range tests {
		resp, got := h.post(t, tc.path, tc.body, tc.hdr...)
		var e struct {
			Error struct {
				Message, Type string
				Code          *string
			}
		}
		if err := json.Unmarshal([]byte(got), &e); err != nil {
			t.Errorf("%s: not the OpenAI error shape: %s", tc.name, got)
			continue
		}
		if resp.StatusCode != tc.status || e.Error.Code == nil || *e.Error.Code != tc.code || !strings.Contains(e.Error.Message, tc.contains) {
			t.Errorf("%s: %d %s, want %d %s containing %q", tc.name, resp.StatusCode, got, tc.status, tc.code, tc.contains)
		}
	}
	if local.calls.Load() != 0 {
		t.Fatalf("bad input reached a backend %d times", local.calls.Load())
	}
}

func TestAdminBreakers(t *testing.T) {
	t.Parallel()
	local, remote := newFakeBackend(t), newFakeBackend(t)
	remote.answer(okAnswer("remote"))
	h := newHarness(t, "server: {admin_token_env: ADMIN}\n"+twoTargets, map[string]string{"ADMIN": "root-token"}, local, remote)
	admin := []string{"Authorization", "Bearer root-token"}
	resp, got := h.post(t, "/admin/v1/breakers/local/qwen2.5-coder-7b/open", "", admin...)
	if resp.StatusCode != 200 || !strings.Contains(got, `"state":"forced_open"`) {
		t.Fatalf("open: %d %s", resp.StatusCode, got)
	}
	resp, _ = h.post(t, "/v1/chat/completions", `{"model":"coder"}`)
	if resp.Header.Get(HeaderBackend) != "remote" || local.calls.Load() != 0 {
		t.Fatal("a forced-open breaker let a call through")
	}
	req, _ := http.NewRequest(http.MethodGet, h.srv.URL+"/admin/v1/breakers", nil)
	req.Header.Set("Authorization", "Bearer root-token")
	r2, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	list, _ := io.ReadAll(r2.Body)
	r2.Body.Close()
	if !strings.Contains(string(list), `"key":"local/qwen2.5-coder-7b","state":"forced_open"`) || !strings.Contains(string(list), `"key":"remote/gpt-4o-mini","state":"closed"`) {
		t.Fatalf("list: %s", list)
	}
	resp, got = h.post(t, "/admin/v1/breakers/local/qwen2.5-coder-7b/reset", "", admin...)
	if resp.StatusCode != 200 || !strings.Contains(got, `"state":"closed"`) {
		t.Fatalf("reset: %d %s", resp.StatusCode, got)
	}
	resp, _ = h.post(t, "/admin/v1/breakers/nope/x/open", "", admin...)
	if resp.StatusCode != 404 {
		t.Fatalf("unknown breaker: %d", resp.StatusCode)
	}
}

func TestModelsList(t *testing.T) {
	t.Parallel()
	local, remote := newFakeBackend(t), newFakeBackend(t)
	h := newHarness(t, twoTargets, nil, local, remote)
	resp, err := http.Get(h.srv.URL + "/v1/models")
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var list struct {
		Object string
		Data   []struct {
			ID, Object string
			Targets    []string
		}
	}
	if err := json.NewDecoder(resp.Body).Decode(&list); err != nil {
		t.Fatal(err)
	}
	if list.Object != "list" || len(list.Data) != 3 || list.Data[0].ID != "coder" ||
		strings.Join(list.Data[0].Targets, ",") != "local/qwen2.5-coder-7b,remote/gpt-4o-mini" {
		t.Fatalf("models %+v", list)
	}
}
