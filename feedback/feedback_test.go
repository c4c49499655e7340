package feedback_test

import (
	"context"
	"encoding/json"
	"fmt"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"strings"
	"testing"

	"github.com/flywheel-stack/flywheel/config"
	"github.com/flywheel-stack/flywheel/feedback"
	"github.com/flywheel-stack/flywheel/store"
	"github.com/flywheel-stack/flywheel/store/sqlite"
	"github.com/google/uuid"
)

// liveSet is the gateway's requests being served, as a test sets them.
type liveSet map[string]bool

func (l liveSet) Pending(id string) bool             { return l[id] }
func (l liveSet) PendingEpisode(episode string) bool { return l[episode] }

type fixture struct {
	h    *feedback.Handler
	st   store.Store
	live liveSet
}

func newFixture(t *testing.T) fixture {
	t.Helper()
	st, err := sqlite.Open(context.Background(), filepath.Join(t.TempDir(), "f.db"), sqlite.Options{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = st.Close() })
	one, five := 1.0, 5.0
	h := feedback.New(feedback.Options{Store: st, Logger: slog.New(slog.DiscardHandler), Metrics: []config.Metric{
		{Name: "thumbs_up", Type: config.MetricBoolean},
		{Name: "rating", Type: config.MetricFloat, Min: &one, Max: &five},
		{Name: "note", Type: config.MetricComment},
	}})
	return fixture{h: h, st: st, live: liveSet{}}
}

// inference returns the id of an inference the gateway is serving.
func (f fixture) inference() string {
	id := uuid.Must(uuid.NewV7()).String()
	f.live[id] = true
	return id
}

type reply struct {
	status int
	body   string
	ok     struct {
		FeedbackID string `json:"feedback_id"`
		Duplicate  bool   `json:"duplicate"`
	}
	err struct {
		Message, Type, Code string
		Param               *string
	}
}

func (f fixture) post(t *testing.T, body string) reply {
	t.Helper()
	rec := httptest.NewRecorder()
	f.h.ServeFeedback(rec, httptest.NewRequest(http.MethodPost, "/v1/feedback", strings.NewReader(body)), f.live)
	r := reply{status: rec.Code, body: rec.Body.String()}
	if rec.Code == http.StatusOK {
		if err := json.Unmarshal(rec.Body.Bytes(), &r.ok); err != nil {
			t.Fatalf("200 body %s: %v", r.body, err)
		}
		return r
	}
	var e struct {
		Error json.RawMessage `json:"error"`
	}
	if json.Unmarshal(rec.Body.Bytes(), &e) != nil || json.Unmarshal(e.Error, &r.err) != nil || r.err.Message == "" {
		t.Fatalf("%d body %s is not an OpenAI error", rec.Code, r.body)
	}
	return r
}

// Issue 10, item 12: one JSON object, then only white space.
func TestTrailingDataIsRefused(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	id := f.inference()
	valid := fmt.Sprintf(`{"inference_id":%q,"metric":"thumbs_up","value":true}`, id)
	cases := []struct {
		name, body string
		status     int
	}{
		{"alone", valid, 200},
		{"trailing white space", valid + " \n\t\r\n", 200},
		{"trailing garbage", valid + "garbage", 400},
		{"a second object", valid + valid, 400},
		{"a stray brace", valid + "}", 400},
		{"a trailing comma", valid + ",", 400},
		{"a number after", valid + " 1", 400},
	}
	for _, tc := range cases {
		r := f.post(t, tc.body)
		if r.status != tc.status {
			t.Errorf("%s: status %d (%s), want %d", tc.name, r.status, r.body, tc.status)
			continue
		}
		if tc.status == 400 && (r.err.Code != "invalid_json" || !strings.Contains(r.err.Message, "after the JSON object")) {
			t.Errorf("%s: error %+v, want invalid_json saying what follows the object", tc.name, r.err)
		}
	}
	if c, _ := f.st.Counts(context.Background()); c.Feedback != 2 {
		t.Errorf("stored %d feedback, want the 2 valid ones", c.Feedback)
	}
}

// Issue 10, item 7: a key is scoped to its inference or episode, and the
// same key with other feedback is a 409, never another target's feedback.
func TestIdempotencyKeyIsScopedToItsTarget(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	a, b := f.inference(), f.inference()
	f.live["run-1"] = true
	send := func(target, value string) reply {
		return f.post(t, fmt.Sprintf(`{%s,"metric":"rating","value":%s,"idempotency_key":"click-1"}`, target, value))
	}
	onA, onB, onEpisode := fmt.Sprintf(`"inference_id":%q`, a), fmt.Sprintf(`"inference_id":%q`, b), `"episode_id":"run-1"`

	first := send(onA, "4")
	if first.status != 200 || first.ok.Duplicate {
		t.Fatalf("first: %d %s", first.status, first.body)
	}
	if again := send(onA, "4"); again.status != 200 || !again.ok.Duplicate || again.ok.FeedbackID != first.ok.FeedbackID {
		t.Errorf("same key, same feedback: %d %s; want a duplicate of %s", again.status, again.body, first.ok.FeedbackID)
	}
	changed := send(onA, "2")
	if changed.status != http.StatusConflict || changed.err.Code != "idempotency_key_reused" || changed.err.Param == nil ||
		*changed.err.Param != "idempotency_key" || !strings.Contains(changed.err.Message, "click-1") ||
		!strings.Contains(changed.err.Message, a) {
		t.Errorf("same key, other value: %d %s; want 409 idempotency_key_reused naming the key and the inference", changed.status, changed.body)
	}
	for name, target := range map[string]string{"another inference": onB, "an episode": onEpisode} {
		r := send(target, "1")
		if r.status != 200 || r.ok.Duplicate || r.ok.FeedbackID == first.ok.FeedbackID {
			t.Errorf("same key on %s: %d %s; want new feedback", name, r.status, r.body)
		}
	}
	page, err := f.st.Feedback(context.Background(), store.FeedbackQuery{InferenceID: b})
	if err != nil || len(page.Feedback) != 1 || *page.Feedback[0].Value != 1 {
		t.Errorf("feedback stored on the other inference = %+v, %v; want its own value 1", page.Feedback, err)
	}
	if c, _ := f.st.Counts(context.Background()); c.Feedback != 3 {
		t.Errorf("stored %d feedback, want 3", c.Feedback)
	}
}

func TestFieldsOverTheirLimitsAreRefused(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	id := f.inference()
	cases := []struct {
		name, body, param, code string
	}{
		{"comment", fmt.Sprintf(`{"inference_id":%q,"metric":"thumbs_up","value":true,"comment":%q}`, id,
			strings.Repeat("c", store.MaxComment+1)), "comment", "field_too_long"},
		{"text value", fmt.Sprintf(`{"inference_id":%q,"metric":"note","value":%q}`, id,
			strings.Repeat("t", store.MaxText+1)), "value", "field_too_long"},
		{"episode id", fmt.Sprintf(`{"episode_id":%q,"metric":"thumbs_up","value":true}`,
			strings.Repeat("e", store.MaxEpisodeID+1)), "episode_id", "invalid_episode_id"},
		{"idempotency key", fmt.Sprintf(`{"inference_id":%q,"metric":"thumbs_up","value":true,"idempotency_key":%q}`, id,
			strings.Repeat("k", store.MaxIdempotencyKey+1)), "idempotency_key", "invalid_idempotency_key"},
	}
	for _, tc := range cases {
		r := f.post(t, tc.body)
		if r.status != 400 || r.err.Code != tc.code || r.err.Param == nil || *r.err.Param != tc.param {
			t.Errorf("%s over its limit: %d %.200s; want 400 %s on %s", tc.name, r.status, r.body, tc.code, tc.param)
		}
	}
	if c, _ := f.st.Counts(context.Background()); c.Feedback != 0 {
		t.Errorf("stored %d feedback, want none", c.Feedback)
	}
}

func TestWithoutAStoreFeedbackIsDisabled(t *testing.T) {
	t.Parallel()
	rec := httptest.NewRecorder()
	feedback.New(feedback.Options{}).ServeFeedback(rec, httptest.NewRequest(http.MethodPost, "/v1/feedback", strings.NewReader(`{}`)), nil)
	if rec.Code != http.StatusServiceUnavailable || !strings.Contains(rec.Body.String(), "feedback_disabled") {
		t.Errorf("without a store: %d %s", rec.Code, rec.Body.String())
	}
}
