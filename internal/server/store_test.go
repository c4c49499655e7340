package server

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/flywheel-stack/flywheel/config"
	"github.com/flywheel-stack/flywheel/simulate"
	"github.com/flywheel-stack/flywheel/store"
	"github.com/flywheel-stack/flywheel/store/sqlite"
	"github.com/flywheel-stack/flywheel/telemetry"
	"github.com/google/uuid"
)

// storeServer is a server with a SQLite store in front of a simulated
// backend.
type storeServer struct {
	srv   *Server
	store store.Store
	base  string
}

const storeConfig = `
backends:
  - {name: sim, kind: openai, url: %s/v1}
routes:
  - name: chat
    targets: [{backend: sim, model: m}]
store:
  flush_interval: 1h   # events stay queued until Close: feedback must still find them
feedback:
  metrics:
    - {name: thumbs_up, type: boolean}
    - {name: rating, type: float, min: 1, max: 5}
    - {name: note, type: comment}
    - {name: fix, type: demonstration}
capture:
  user: hashed
  redact: ['sk-[a-z0-9]{8,}']
`

func newStoreServer(t *testing.T, extra string) *storeServer {
	t.Helper()
	return newStoreServerEnv(t, storeConfig+extra, nil)
}

// newStoreServerFrom is newStoreServer with a whole configuration, whose %s
// is the backend's URL.
func newStoreServerFrom(t *testing.T, cfgText string) *storeServer {
	t.Helper()
	return newStoreServerEnv(t, cfgText, nil)
}

// newStoreServerEnv is newStoreServerFrom with environment variables and
// telemetry sinks beside the store's writer.
func newStoreServerEnv(t *testing.T, cfgText string, env map[string]string, sinks ...telemetry.Sink) *storeServer {
	t.Helper()
	st, err := sqlite.Open(context.Background(), filepath.Join(t.TempDir(), "flywheel.db"), sqlite.Options{})
	if err != nil {
		t.Fatal(err)
	}
	return newStoreServerOn(t, st, cfgText, env, sinks...)
}

// newStoreServerOn is newStoreServerEnv on st, which it closes when the
// test ends.
func newStoreServerOn(t *testing.T, st store.Store, cfgText string, env map[string]string, sinks ...telemetry.Sink) *storeServer {
	t.Helper()
	t.Cleanup(func() { _ = st.Close() })
	sim, err := simulate.New(simulate.Config{Seed: 1})
	if err != nil {
		t.Fatal(err)
	}
	backend := httptest.NewServer(sim)
	t.Cleanup(backend.Close)
	cfg, err := config.Parse("flywheel.yaml", []byte(fmt.Sprintf(cfgText, backend.URL)))
	if err != nil {
		t.Fatal(err)
	}
	srv, err := New(cfg, Options{Logger: slog.New(slog.NewTextHandler(io.Discard, nil)), Store: st,
		Getenv: testGetenv(env), Sinks: sinks})
	if err != nil {
		t.Fatal(err)
	}
	front := httptest.NewServer(srv.Handler())
	t.Cleanup(func() {
		front.Close()
		_ = srv.Close(context.Background())
	})
	return &storeServer{srv: srv, store: st, base: front.URL}
}

func (s *storeServer) post(t *testing.T, path, body string, header ...string) (*http.Response, string) {
	t.Helper()
	req, err := http.NewRequest(http.MethodPost, s.base+path, strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Content-Type", "application/json")
	for i := 0; i+1 < len(header); i += 2 {
		req.Header.Set(header[i], header[i+1])
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	data, _ := io.ReadAll(resp.Body)
	return resp, string(data)
}

func (s *storeServer) flush(t *testing.T) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	if err := s.srv.Close(ctx); err != nil {
		t.Fatal(err)
	}
}

func TestInferenceIsStoredWithCaptureRules(t *testing.T) {
	s := newStoreServer(t, "")
	resp, body := s.post(t, "/v1/chat/completions",
		`{"model":"chat","user":"bob","messages":[{"role":"user","content":"my key is sk-abcdef123456"}]}`,
		"X-Flywheel-Episode-Id", "ep-42")
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("chat: %d %s", resp.StatusCode, body)
	}
	id := resp.Header.Get("X-Flywheel-Inference-Id")
	parsed, err := uuid.Parse(id)
	if err != nil || parsed.Version() != 7 {
		t.Fatalf("X-Flywheel-Inference-Id = %q: want a UUIDv7", id)
	}
	if ep := resp.Header.Get("X-Flywheel-Episode-Id"); ep != "ep-42" {
		t.Errorf("X-Flywheel-Episode-Id = %q, want the client's", ep)
	}
	var answer struct {
		Choices []struct {
			Message struct{ Content string } `json:"message"`
		} `json:"choices"`
	}
	if err := json.Unmarshal([]byte(body), &answer); err != nil || len(answer.Choices) == 0 {
		t.Fatalf("answer %s: %v", body, err)
	}
	stream, sbody := s.post(t, "/v1/chat/completions",
		`{"model":"chat","stream":true,"messages":[{"role":"user","content":"count"}]}`, "X-Flywheel-User", "carol")
	if stream.StatusCode != http.StatusOK || !strings.Contains(sbody, "[DONE]") {
		t.Fatalf("stream: %d %s", stream.StatusCode, sbody)
	}
	s.flush(t)

	got, err := s.store.Inference(context.Background(), id)
	if err != nil {
		t.Fatal(err)
	}
	if got.EpisodeID != "ep-42" || got.Route != "chat" || got.Backend != "sim" || got.Model != "m" ||
		got.Status != "ok" || got.HTTPStatus != 200 || got.Attempts != 1 || got.TokensOut == 0 || got.Latency <= 0 {
		t.Errorf("stored inference = %+v", got)
	}
	if got.User != config.HashUser("bob") {
		t.Errorf("user = %q, want the hash of bob", got.User)
	}
	if strings.Contains(got.Request, "sk-abcdef123456") || !strings.Contains(got.Request, "my key is [REDACTED]") {
		t.Errorf("request not redacted: %s", got.Request)
	}
	if got.Response != answer.Choices[0].Message.Content {
		t.Errorf("response = %q, want the answer text %q", got.Response, answer.Choices[0].Message.Content)
	}
	sid := stream.Header.Get("X-Flywheel-Inference-Id")
	sgot, err := s.store.Inference(context.Background(), sid)
	if err != nil {
		t.Fatal(err)
	}
	if !sgot.Stream || sgot.User != config.HashUser("carol") || sgot.Response == "" || !strings.Contains(sbody, firstWord(sgot.Response)) {
		t.Errorf("stored stream = user %q stream %v response %q", sgot.User, sgot.Stream, sgot.Response)
	}
	if sgot.EpisodeID != sid {
		t.Errorf("episode of a request without one = %q, want its inference id", sgot.EpisodeID)
	}
}

func firstWord(s string) string {
	f := strings.Fields(s)
	if len(f) == 0 {
		return "\x00"
	}
	return f[0]
}

func TestFeedbackForAQueuedInferenceIsDurableBeforeThe200(t *testing.T) {
	s := newStoreServer(t, "")
	resp, _ := s.post(t, "/v1/chat/completions", `{"model":"chat","messages":[{"role":"user","content":"hi"}]}`)
	id := resp.Header.Get("X-Flywheel-Inference-Id")
	if s.srv.Telemetry.Depth() != 1 {
		t.Fatalf("queue depth = %d: the inference should still be queued", s.srv.Telemetry.Depth())
	}
	fresp, fbody := s.post(t, "/v1/feedback", fmt.Sprintf(`{"inference_id":%q,"metric":"rating","value":4,"comment":"good"}`, id))
	if fresp.StatusCode != http.StatusOK {
		t.Fatalf("feedback: %d %s", fresp.StatusCode, fbody)
	}
	var out struct {
		FeedbackID string `json:"feedback_id"`
		Duplicate  bool   `json:"duplicate"`
	}
	if err := json.Unmarshal([]byte(fbody), &out); err != nil || out.FeedbackID == "" || out.Duplicate {
		t.Fatalf("feedback body %s: %v", fbody, err)
	}
	// Durable before the 200: in the store now, while the inference is
	// still queued.
	page, err := s.store.Feedback(context.Background(), store.FeedbackQuery{Metric: "rating"})
	if err != nil || len(page.Feedback) != 1 {
		t.Fatalf("stored feedback = %+v, %v", page.Feedback, err)
	}
	f := page.Feedback[0]
	if f.ID != out.FeedbackID || f.InferenceID != id || f.Value == nil || *f.Value != 4 || f.Comment != "good" || f.Kind != "float" {
		t.Errorf("stored feedback = %+v", f)
	}
}

func TestFeedbackIdempotencyAndEpisodes(t *testing.T) {
	s := newStoreServer(t, "")
	var ids []string
	for range 2 {
		resp, _ := s.post(t, "/v1/chat/completions", `{"model":"chat","messages":[{"role":"user","content":"hi"}]}`,
			"X-Flywheel-Episode-Id", "run-1")
		ids = append(ids, resp.Header.Get("X-Flywheel-Inference-Id"))
	}
	body := fmt.Sprintf(`{"inference_id":%q,"metric":"thumbs_up","value":true,"idempotency_key":"click-1"}`, ids[0])
	_, first := s.post(t, "/v1/feedback", body)
	resp, again := s.post(t, "/v1/feedback", body)
	var a, b struct {
		FeedbackID string `json:"feedback_id"`
		Duplicate  bool   `json:"duplicate"`
	}
	_ = json.Unmarshal([]byte(first), &a)
	_ = json.Unmarshal([]byte(again), &b)
	if resp.StatusCode != http.StatusOK || a.FeedbackID == "" || b.FeedbackID != a.FeedbackID || !b.Duplicate {
		t.Fatalf("repeated idempotency key: %d first %s again %s", resp.StatusCode, first, again)
	}
	resp, ebody := s.post(t, "/v1/feedback", `{"episode_id":"run-1","metric":"fix","value":"the ideal answer"}`)
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("episode feedback on queued inferences: %d %s", resp.StatusCode, ebody)
	}
	s.flush(t)
	for _, id := range ids {
		page, err := s.store.Feedback(context.Background(), store.FeedbackQuery{InferenceID: id, Metric: "fix"})
		if err != nil || len(page.Feedback) != 1 || page.Feedback[0].Text != "the ideal answer" {
			t.Errorf("episode feedback for inference %s = %+v, %v", id, page.Feedback, err)
		}
	}
	if c, _ := s.store.Counts(context.Background()); c.Feedback != 2 {
		t.Errorf("stored %d feedback, want 2 (one deduplicated)", c.Feedback)
	}
}

func TestFeedbackValidation(t *testing.T) {
	s := newStoreServer(t, "")
	resp, _ := s.post(t, "/v1/chat/completions", `{"model":"chat","messages":[{"role":"user","content":"hi"}]}`)
	id := resp.Header.Get("X-Flywheel-Inference-Id")
	unknown := uuid.Must(uuid.NewV7()).String()
	cases := []struct {
		name, body string
		status     int
		code, text string
	}{
		{"not json", `{"metric":`, 400, "invalid_json", "could not parse"},
		{"unknown field", fmt.Sprintf(`{"inference_id":%q,"metric":"thumbs_up","value":true,"score":1}`, id), 400, "invalid_json", "score"},
		{"no target", `{"metric":"thumbs_up","value":true}`, 400, "missing_target", "inference_id"},
		{"both targets", fmt.Sprintf(`{"inference_id":%q,"episode_id":"e","metric":"thumbs_up","value":true}`, id), 400, "ambiguous_target", "not both"},
		{"bad id", `{"inference_id":"42","metric":"thumbs_up","value":true}`, 400, "invalid_inference_id", "UUID"},
		{"no metric", fmt.Sprintf(`{"inference_id":%q,"value":true}`, id), 400, "missing_metric", `"thumbs_up" (boolean)`},
		{"unknown metric", fmt.Sprintf(`{"inference_id":%q,"metric":"stars","value":1}`, id), 400, "unknown_metric", `"stars" is not defined`},
		{"no value", fmt.Sprintf(`{"inference_id":%q,"metric":"thumbs_up"}`, id), 400, "missing_value", "value"},
		{"boolean as number", fmt.Sprintf(`{"inference_id":%q,"metric":"thumbs_up","value":1}`, id), 400, "invalid_value", "true or false"},
		{"float as string", fmt.Sprintf(`{"inference_id":%q,"metric":"rating","value":"5"}`, id), 400, "invalid_value", "JSON number"},
		{"float over max", fmt.Sprintf(`{"inference_id":%q,"metric":"rating","value":6}`, id), 400, "value_out_of_range", "[1, 5]"},
		{"empty comment", fmt.Sprintf(`{"inference_id":%q,"metric":"note","value":"  "}`, id), 400, "invalid_value", "non-empty string"},
		{"empty idempotency key", fmt.Sprintf(`{"inference_id":%q,"metric":"thumbs_up","value":true,"idempotency_key":""}`, id), 400, "invalid_idempotency_key", "1 to 256"},
		{"unknown inference", fmt.Sprintf(`{"inference_id":%q,"metric":"thumbs_up","value":true}`, unknown), 404, "inference_not_found", unknown},
		{"unknown episode", `{"episode_id":"nope","metric":"thumbs_up","value":true}`, 404, "episode_not_found", "nope"},
	}
	for _, tc := range cases {
		resp, body := s.post(t, "/v1/feedback", tc.body)
		var e struct {
			Error struct{ Message, Type, Code string } `json:"error"`
		}
		if err := json.Unmarshal([]byte(body), &e); err != nil {
			t.Errorf("%s: body %s is not an OpenAI error: %v", tc.name, body, err)
			continue
		}
		if resp.StatusCode != tc.status || e.Error.Code != tc.code || !strings.Contains(e.Error.Message, tc.text) {
			t.Errorf("%s: %d %s; want %d %s mentioning %q", tc.name, resp.StatusCode, body, tc.status, tc.code, tc.text)
		}
	}
	if c, _ := s.store.Counts(context.Background()); c.Feedback != 0 {
		t.Errorf("%d feedback stored from invalid requests", c.Feedback)
	}
}

func TestFeedbackWithoutAStoreIs503(t *testing.T) {
	cfg := config.Default()
	srv, err := New(cfg, Options{Logger: slog.New(slog.NewTextHandler(io.Discard, nil)), Getenv: func(string) string { return "" }})
	if err != nil {
		t.Fatal(err)
	}
	rec := httptest.NewRecorder()
	srv.Handler().ServeHTTP(rec, httptest.NewRequest(http.MethodPost, "/v1/feedback", strings.NewReader(`{}`)))
	if rec.Code != http.StatusServiceUnavailable || !strings.Contains(rec.Body.String(), "without a store") {
		t.Errorf("feedback without a store: %d %s", rec.Code, rec.Body.String())
	}
}

func TestCaptureSwitchesAndSampling(t *testing.T) {
	cases := []struct {
		name, capture     string
		wantReq, wantResp bool
		wantUser          string
	}{
		{"responses only, no user", "{prompts: false, responses: true, user: none}", false, true, ""},
		{"prompts only", "{prompts: true, responses: false}", true, false, "bob"},
		{"sampled out", "{sample_rate: 0}", false, false, "bob"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			s := newStoreServerFrom(t, `
backends: [{name: sim, kind: openai, url: %s/v1}]
routes: [{name: chat, targets: [{backend: sim, model: m}]}]
capture: `+tc.capture+"\n")
			resp, body := s.post(t, "/v1/chat/completions", `{"model":"chat","user":"bob","messages":[{"role":"user","content":"hi"}]}`)
			if resp.StatusCode != http.StatusOK {
				t.Fatalf("chat: %d %s", resp.StatusCode, body)
			}
			s.flush(t)
			got, err := s.store.Inference(context.Background(), resp.Header.Get("X-Flywheel-Inference-Id"))
			if err != nil {
				t.Fatal(err)
			}
			if (got.Request != "") != tc.wantReq || (got.Response != "") != tc.wantResp || got.User != tc.wantUser {
				t.Errorf("stored request %q response %q user %q; want request %v response %v user %q",
					got.Request, got.Response, got.User, tc.wantReq, tc.wantResp, tc.wantUser)
			}
			if got.TokensOut == 0 || got.Status != "ok" {
				t.Errorf("the record itself is kept whatever is captured: %+v", got)
			}
		})
	}
}

func TestFallbackAndDegradedInferencesAreStored(t *testing.T) {
	s := newStoreServerFrom(t, `
backends:
  - {name: dead, kind: openai, url: "http://127.0.0.1:1/v1", retry: {max_attempts: 1}}
  - {name: sim, kind: openai, url: "%s/v1"}
routes:
  - {name: chat, targets: [{backend: dead, model: m}, {backend: sim, model: m}]}
  - {name: broken, targets: [{backend: dead, model: m}]}
`)
	fell, body := s.post(t, "/v1/chat/completions", `{"model":"chat","messages":[{"role":"user","content":"hi"}]}`)
	if fell.StatusCode != http.StatusOK {
		t.Fatalf("fallback: %d %s", fell.StatusCode, body)
	}
	degraded, body := s.post(t, "/v1/chat/completions", `{"model":"broken","messages":[{"role":"user","content":"hi"}]}`)
	if degraded.StatusCode != http.StatusServiceUnavailable || degraded.Header.Get("X-Flywheel-Inference-Id") == "" {
		t.Fatalf("degraded: %d %s, inference id %q", degraded.StatusCode, body, degraded.Header.Get("X-Flywheel-Inference-Id"))
	}
	s.flush(t)
	got, err := s.store.Inference(context.Background(), fell.Header.Get("X-Flywheel-Inference-Id"))
	if err != nil {
		t.Fatal(err)
	}
	if got.Backend != "sim" || got.FallbackDepth != 1 || got.Attempts < 2 || got.Status != "ok" || got.Degraded {
		t.Errorf("fallback record = backend %s depth %d attempts %d status %s degraded %v",
			got.Backend, got.FallbackDepth, got.Attempts, got.Status, got.Degraded)
	}
	got, err = s.store.Inference(context.Background(), degraded.Header.Get("X-Flywheel-Inference-Id"))
	if err != nil {
		t.Fatal(err)
	}
	if got.Status != "degraded" || !got.Degraded || got.HTTPStatus != 503 || got.ErrorClass == "" || got.Backend != "dead" {
		t.Errorf("degraded record = %+v", got)
	}
}

func TestFeedbackNeedsTheClientKey(t *testing.T) {
	s := newStoreServerEnv(t, storeConfig, map[string]string{"FLYWHEEL_API_KEYS": "k1"})
	resp, body := s.post(t, "/v1/chat/completions", `{"model":"chat","messages":[{"role":"user","content":"hi"}]}`,
		"Authorization", "Bearer k1")
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("chat with the key: %d %s", resp.StatusCode, body)
	}
	fb := fmt.Sprintf(`{"inference_id":%q,"metric":"thumbs_up","value":true}`, resp.Header.Get("X-Flywheel-Inference-Id"))
	if resp, body := s.post(t, "/v1/feedback", fb); resp.StatusCode != http.StatusUnauthorized {
		t.Errorf("feedback without the key: %d %s, want 401", resp.StatusCode, body)
	}
	if resp, body := s.post(t, "/v1/feedback", fb, "Authorization", "Bearer k1"); resp.StatusCode != http.StatusOK {
		t.Errorf("feedback with the key: %d %s", resp.StatusCode, body)
	}
}
