// Package storetest is the conformance suite every store.Store driver
// passes. A driver's test calls Run with a function that opens an empty
// store.
package storetest

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/flywheel-stack/flywheel/store"
	"github.com/google/uuid"
)

// Opener returns a new, empty store; the suite closes it.
type Opener func(t *testing.T) store.Store

// Run runs every conformance test against stores made by open.
func Run(t *testing.T, open Opener) {
	tests := []struct {
		name string
		fn   func(t *testing.T, s store.Store)
	}{
		{"RoundTrip", testRoundTrip},
		{"DuplicateInferenceSkipped", testDuplicateInference},
		{"Filters", testFilters},
		{"Pagination", testPagination},
		{"FeedbackRoundTrip", testFeedbackRoundTrip},
		{"FeedbackIdempotent", testFeedbackIdempotent},
		{"FeedbackKeyPerTarget", testFeedbackKeyPerTarget},
		{"EpisodeFeedback", testEpisodeFeedback},
		{"FeedbackPagination", testFeedbackPagination},
		{"Prune", testPrune},
		{"ConcurrentWriters", testConcurrentWriters},
		{"LargeBatch", testLargeBatch},
		{"RejectedRowFailsItsBatch", testRejectedRow},
		{"ClientStringsAtTheirLimits", testStringsAtLimits},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) { tc.fn(t, openClosed(t, open)) })
	}
}

// openClosed opens a store with open, closed (and its error reported) when
// the test ends.
func openClosed(t *testing.T, open Opener) store.Store {
	t.Helper()
	s := open(t)
	t.Cleanup(func() {
		if err := s.Close(); err != nil {
			t.Errorf("Close: %v", err)
		}
	})
	return s
}

const sampleUnix = 1772366400

// SampleTime is a start time in whole seconds (2026-03-01 12:00 UTC), which
// every driver keeps exactly.
func SampleTime() time.Time { return time.Unix(sampleUnix, 0).UTC() }

// newID returns an id that sorts after the ones made before it.
func newID(t *testing.T) string {
	t.Helper()
	id, err := uuid.NewV7()
	if err != nil {
		t.Fatal(err)
	}
	return id.String()
}

// Sample returns a fully filled inference starting at start; tests and
// benchmarks use it.
func Sample(id string, start time.Time) store.Inference {
	return store.Inference{
		ID: id, EpisodeID: "ep-" + id[:8], User: "alice", Endpoint: "chat", Route: "chat", Backend: "llama",
		Model: "qwen2.5-7b", Attempts: 2, FallbackDepth: 1, Stream: true, Degraded: false, Status: "ok",
		HTTPStatus: 200, ErrorClass: "", Start: start, End: start.Add(1500 * time.Millisecond),
		Latency: 1500 * time.Millisecond, TimeToFirstToken: 120 * time.Millisecond, TokensIn: 42, TokensOut: 99,
		TokensPerSecond: 71.5, Request: `{"model":"chat","messages":[{"role":"user","content":"héllo ✓"}]}`,
		Response: "Hello! How can I help?\nLine two, with 'quotes' and \"double\" ones.",
	}
}

func write(t *testing.T, s store.Store, batch ...store.Inference) {
	t.Helper()
	if err := s.WriteInferences(context.Background(), batch); err != nil {
		t.Fatalf("WriteInferences: %v", err)
	}
}

func equalInference(t *testing.T, got, want store.Inference) {
	t.Helper()
	if !got.Start.Equal(want.Start) || !got.End.Equal(want.End) {
		t.Errorf("inference %s: times = %v..%v, want %v..%v", want.ID, got.Start, got.End, want.Start, want.End)
	}
	got.Start, got.End, want.Start, want.End = time.Time{}, time.Time{}, time.Time{}, time.Time{}
	if got != want {
		t.Errorf("inference round trip:\n got %+v\nwant %+v", got, want)
	}
}

func testRoundTrip(t *testing.T, s store.Store) {
	base := SampleTime()
	ctx := context.Background()
	in := Sample(newID(t), base)
	failed := store.Inference{ID: newID(t), EpisodeID: "ep-x", Endpoint: "completions", Route: "coder",
		Backend: "remote", Model: "gpt-4o-mini", Attempts: 3, Degraded: true, Status: "degraded", HTTPStatus: 503,
		ErrorClass: "timeout", Start: base.Add(time.Second), End: base.Add(2 * time.Second), Latency: time.Second}
	write(t, s, in, failed)
	for _, want := range []store.Inference{in, failed} {
		got, err := s.Inference(ctx, want.ID)
		if err != nil {
			t.Fatalf("Inference(%s): %v", want.ID, err)
		}
		equalInference(t, got, want)
	}
	if _, err := s.Inference(ctx, newID(t)); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("Inference(unknown) error = %v, want ErrNotFound", err)
	}
	c, err := s.Counts(ctx)
	if err != nil || c.Inferences != 2 || c.Feedback != 0 {
		t.Errorf("Counts = %+v, %v; want 2 inferences, 0 feedback", c, err)
	}
	if err := s.Ping(ctx); err != nil {
		t.Errorf("Ping: %v", err)
	}
	if s.Location() == "" {
		t.Error("Location is empty")
	}
	if err := s.WriteInferences(ctx, nil); err != nil {
		t.Errorf("WriteInferences(nil): %v", err)
	}
}

func testDuplicateInference(t *testing.T, s store.Store) {
	base := SampleTime()
	ctx := context.Background()
	a, b := Sample(newID(t), base), Sample(newID(t), base)
	write(t, s, a)
	changed := a
	changed.Route = "other"
	write(t, s, changed, b) // a retried batch: a is skipped, b is written
	got, err := s.Inference(ctx, a.ID)
	if err != nil || got.Route != a.Route {
		t.Errorf("after a duplicate write, Inference = %+v, %v; want the first write kept", got.Route, err)
	}
	if c, _ := s.Counts(ctx); c.Inferences != 2 {
		t.Errorf("Counts.Inferences = %d, want 2", c.Inferences)
	}
}

func ids(list []store.Inference) []string {
	out := make([]string, len(list))
	for i, in := range list {
		out[i] = in.ID
	}
	return out
}

func testFilters(t *testing.T, s store.Store) {
	base := SampleTime()
	ctx := context.Background()
	var all []store.Inference
	for i := range 12 {
		in := Sample(newID(t), base.Add(time.Duration(i)*time.Minute))
		in.Route = []string{"chat", "coder", "chat"}[i%3]
		in.Backend = []string{"llama", "remote"}[i%2]
		in.EpisodeID = fmt.Sprintf("ep-%d", i%4)
		all = append(all, in)
	}
	write(t, s, all...)
	newestFirst := func(keep func(store.Inference) bool) []string {
		var out []string
		for i := len(all) - 1; i >= 0; i-- {
			if keep(all[i]) {
				out = append(out, all[i].ID)
			}
		}
		return out
	}
	if _, _, err := s.WriteFeedback(ctx, store.Feedback{ID: newID(t), InferenceID: all[3].ID, Metric: "thumbs_up",
		Kind: "boolean", Value: ptr(1), Created: base}); err != nil {
		t.Fatal(err)
	}
	if _, _, err := s.WriteFeedback(ctx, store.Feedback{ID: newID(t), EpisodeID: "ep-1", Metric: "rating",
		Kind: "float", Value: ptr(4), Created: base}); err != nil {
		t.Fatal(err)
	}
	cases := []struct {
		name string
		q    store.InferenceQuery
		keep func(store.Inference) bool
	}{
		{"all", store.InferenceQuery{}, func(store.Inference) bool { return true }},
		{"route", store.InferenceQuery{Route: "coder"}, func(in store.Inference) bool { return in.Route == "coder" }},
		{"backend", store.InferenceQuery{Backend: "remote"}, func(in store.Inference) bool { return in.Backend == "remote" }},
		{"episode", store.InferenceQuery{EpisodeID: "ep-2"}, func(in store.Inference) bool { return in.EpisodeID == "ep-2" }},
		{"since-until", store.InferenceQuery{Since: base.Add(3 * time.Minute), Until: base.Add(7 * time.Minute)},
			func(in store.Inference) bool {
				return !in.Start.Before(base.Add(3*time.Minute)) && in.Start.Before(base.Add(7*time.Minute))
			}},
		{"route+backend", store.InferenceQuery{Route: "chat", Backend: "llama"},
			func(in store.Inference) bool { return in.Route == "chat" && in.Backend == "llama" }},
		{"feedback on inference", store.InferenceQuery{FeedbackMetric: "thumbs_up"},
			func(in store.Inference) bool { return in.ID == all[3].ID }},
		{"feedback on episode", store.InferenceQuery{FeedbackMetric: "rating"},
			func(in store.Inference) bool { return in.EpisodeID == "ep-1" }},
		{"no match", store.InferenceQuery{Route: "nope"}, func(store.Inference) bool { return false }},
	}
	for _, tc := range cases {
		page, err := s.Inferences(ctx, tc.q)
		if err != nil {
			t.Fatalf("%s: %v", tc.name, err)
		}
		got, want := strings.Join(ids(page.Inferences), ","), strings.Join(newestFirst(tc.keep), ",")
		if got != want {
			t.Errorf("%s: got ids\n%s\nwant\n%s", tc.name, got, want)
		}
		if page.NextCursor != "" {
			t.Errorf("%s: NextCursor = %q on the only page", tc.name, page.NextCursor)
		}
	}
}

func ptr(f float64) *float64 { return &f }

func testPagination(t *testing.T, s store.Store) {
	base := SampleTime()
	ctx := context.Background()
	var want []string
	var batch []store.Inference
	for i := range 25 {
		in := Sample(newID(t), base.Add(time.Duration(i)*time.Second))
		batch = append(batch, in)
		want = append([]string{in.ID}, want...)
	}
	write(t, s, batch...)
	var got []string
	q := store.InferenceQuery{Limit: 10}
	pages := 0
	for {
		page, err := s.Inferences(ctx, q)
		if err != nil {
			t.Fatal(err)
		}
		pages++
		got = append(got, ids(page.Inferences)...)
		if page.NextCursor == "" {
			break
		}
		if pages > 5 {
			t.Fatal("pagination does not end")
		}
		q.Cursor = page.NextCursor
	}
	if pages != 3 || strings.Join(got, ",") != strings.Join(want, ",") {
		t.Errorf("paged %d times, got %d ids in order %v; want 3 pages of all 25 newest first", pages, len(got),
			strings.Join(got, ",") == strings.Join(want, ","))
	}
	exact, err := s.Inferences(ctx, store.InferenceQuery{Limit: 25})
	if err != nil || len(exact.Inferences) != 25 || exact.NextCursor != "" {
		t.Errorf("Limit 25 of 25: %d rows, cursor %q, %v; want all, no cursor", len(exact.Inferences), exact.NextCursor, err)
	}
}

func testFeedbackRoundTrip(t *testing.T, s store.Store) {
	base := SampleTime()
	ctx := context.Background()
	in := Sample(newID(t), base)
	write(t, s, in)
	created := base.Add(time.Minute)
	fbs := []store.Feedback{
		{ID: newID(t), InferenceID: in.ID, Metric: "thumbs_up", Kind: "boolean", Value: ptr(0), Comment: "wrong file", Created: created},
		{ID: newID(t), InferenceID: in.ID, Metric: "rating", Kind: "float", Value: ptr(3.5), Created: created},
		{ID: newID(t), InferenceID: in.ID, Metric: "note", Kind: "comment", Text: "too long, but right", Created: created},
		{ID: newID(t), InferenceID: in.ID, Metric: "fix", Kind: "demonstration", Text: "func main() {}\n", Created: created},
	}
	for _, f := range fbs {
		got, createdNow, err := s.WriteFeedback(ctx, f)
		if err != nil || !createdNow || got.ID != f.ID {
			t.Fatalf("WriteFeedback(%s) = %s, %v, %v; want it created", f.Metric, got.ID, createdNow, err)
		}
	}
	page, err := s.Feedback(ctx, store.FeedbackQuery{InferenceID: in.ID})
	if err != nil {
		t.Fatal(err)
	}
	if len(page.Feedback) != len(fbs) {
		t.Fatalf("Feedback(inference) = %d items, want %d", len(page.Feedback), len(fbs))
	}
	for i, got := range page.Feedback {
		want := fbs[len(fbs)-1-i]
		if !got.Created.Equal(want.Created) {
			t.Errorf("feedback %s Created = %v, want %v", want.Metric, got.Created, want.Created)
		}
		if (got.Value == nil) != (want.Value == nil) || (got.Value != nil && *got.Value != *want.Value) {
			t.Errorf("feedback %s Value = %v, want %v", want.Metric, got.Value, want.Value)
		}
		got.Created, want.Created, got.Value, want.Value = time.Time{}, time.Time{}, nil, nil
		if got != want {
			t.Errorf("feedback round trip:\n got %+v\nwant %+v", got, want)
		}
	}
	byMetric, err := s.Feedback(ctx, store.FeedbackQuery{Metric: "rating"})
	if err != nil || len(byMetric.Feedback) != 1 || byMetric.Feedback[0].ID != fbs[1].ID {
		t.Errorf("Feedback(metric rating) = %+v, %v", byMetric.Feedback, err)
	}
	later, err := s.Feedback(ctx, store.FeedbackQuery{Since: created.Add(time.Second)})
	if err != nil || len(later.Feedback) != 0 {
		t.Errorf("Feedback(since after) = %d items, %v; want none", len(later.Feedback), err)
	}
	if c, _ := s.Counts(ctx); c.Feedback != 4 {
		t.Errorf("Counts.Feedback = %d, want 4", c.Feedback)
	}
}

func testFeedbackIdempotent(t *testing.T, s store.Store) {
	base := SampleTime()
	ctx := context.Background()
	first := store.Feedback{ID: newID(t), InferenceID: newID(t), Metric: "thumbs_up", Kind: "boolean", Value: ptr(1),
		IdempotencyKey: "click-42", Created: base}
	if _, created, err := s.WriteFeedback(ctx, first); err != nil || !created {
		t.Fatalf("first write: created %v, %v", created, err)
	}
	again := first
	again.ID, again.Value = newID(t), ptr(0)
	got, created, err := s.WriteFeedback(ctx, again)
	if err != nil || created || got.ID != first.ID || got.Value == nil || *got.Value != 1 {
		t.Fatalf("repeated key: got %+v created %v, %v; want the first feedback back, not created", got, created, err)
	}
	other := again
	other.ID, other.IdempotencyKey = newID(t), "click-43"
	if _, created, err := s.WriteFeedback(ctx, other); err != nil || !created {
		t.Fatalf("another key: created %v, %v", created, err)
	}
	noKey := store.Feedback{ID: newID(t), InferenceID: first.InferenceID, Metric: "thumbs_up", Kind: "boolean",
		Value: ptr(1), Created: base}
	for range 2 {
		noKey.ID = newID(t)
		if _, created, err := s.WriteFeedback(ctx, noKey); err != nil || !created {
			t.Fatalf("no key: created %v, %v (feedback without a key is never deduplicated)", created, err)
		}
	}
	if c, _ := s.Counts(ctx); c.Feedback != 4 {
		t.Errorf("Counts.Feedback = %d, want 4", c.Feedback)
	}
}

// A key is scoped to its inference or episode: reusing it on another target
// is new feedback, never the other target's (issue 10, item 7).
func testFeedbackKeyPerTarget(t *testing.T, s store.Store) {
	ctx := context.Background()
	base := SampleTime()
	fb := func(inference, episode string, value float64) store.Feedback {
		return store.Feedback{ID: newID(t), InferenceID: inference, EpisodeID: episode, Metric: "thumbs_up",
			Kind: "boolean", Value: ptr(value), IdempotencyKey: "click-1", Created: base}
	}
	a, b := newID(t), newID(t)
	targets := []store.Feedback{fb(a, "", 1), fb(b, "", 0), fb("", "episode-1", 1), fb("", "episode-2", 0), fb("", a, 1)}
	for _, f := range targets {
		got, created, err := s.WriteFeedback(ctx, f)
		if err != nil || !created || got.ID != f.ID {
			t.Fatalf("key click-1 on inference %q episode %q: got %s created %v, %v; want new feedback",
				f.InferenceID, f.EpisodeID, got.ID, created, err)
		}
	}
	for _, first := range targets {
		again := first
		again.ID = newID(t)
		got, created, err := s.WriteFeedback(ctx, again)
		if err != nil || created || got.ID != first.ID || got.InferenceID != first.InferenceID || got.EpisodeID != first.EpisodeID {
			t.Errorf("repeat on inference %q episode %q: got %+v created %v, %v; want that target's first feedback",
				first.InferenceID, first.EpisodeID, got, created, err)
		}
	}
	if c, _ := s.Counts(ctx); c.Feedback != int64(len(targets)) {
		t.Errorf("Counts.Feedback = %d, want %d", c.Feedback, len(targets))
	}
}

func testEpisodeFeedback(t *testing.T, s store.Store) {
	base := SampleTime()
	ctx := context.Background()
	a, b, other := Sample(newID(t), base), Sample(newID(t), base), Sample(newID(t), base)
	a.EpisodeID, b.EpisodeID, other.EpisodeID = "episode-7", "episode-7", "episode-8"
	write(t, s, a, b, other)
	for _, ep := range []string{"episode-7", "episode-8"} {
		if ok, err := s.HasEpisode(ctx, ep); err != nil || !ok {
			t.Errorf("HasEpisode(%s) = %v, %v; want true", ep, ok, err)
		}
	}
	if ok, err := s.HasEpisode(ctx, "episode-9"); err != nil || ok {
		t.Errorf("HasEpisode(unknown) = %v, %v; want false", ok, err)
	}
	ep := store.Feedback{ID: newID(t), EpisodeID: "episode-7", Metric: "task_done", Kind: "boolean", Value: ptr(1), Created: base}
	if _, _, err := s.WriteFeedback(ctx, ep); err != nil {
		t.Fatal(err)
	}
	for _, in := range []store.Inference{a, b} {
		page, err := s.Feedback(ctx, store.FeedbackQuery{InferenceID: in.ID})
		if err != nil || len(page.Feedback) != 1 || page.Feedback[0].ID != ep.ID {
			t.Errorf("Feedback(inference %s of the episode) = %+v, %v; want the episode's feedback", in.ID, page.Feedback, err)
		}
	}
	page, err := s.Feedback(ctx, store.FeedbackQuery{InferenceID: other.ID})
	if err != nil || len(page.Feedback) != 0 {
		t.Errorf("Feedback(inference of another episode) = %+v, %v; want none", page.Feedback, err)
	}
	byEp, err := s.Feedback(ctx, store.FeedbackQuery{EpisodeID: "episode-7"})
	if err != nil || len(byEp.Feedback) != 1 {
		t.Errorf("Feedback(episode) = %+v, %v", byEp.Feedback, err)
	}
}

func testFeedbackPagination(t *testing.T, s store.Store) {
	base := SampleTime()
	ctx := context.Background()
	var want []string
	for i := range 7 {
		f := store.Feedback{ID: newID(t), InferenceID: newID(t), Metric: "rating", Kind: "float", Value: ptr(float64(i)), Created: base}
		if _, _, err := s.WriteFeedback(ctx, f); err != nil {
			t.Fatal(err)
		}
		want = append([]string{f.ID}, want...)
	}
	var got []string
	q := store.FeedbackQuery{Limit: 3}
	for range 5 {
		page, err := s.Feedback(ctx, q)
		if err != nil {
			t.Fatal(err)
		}
		for _, f := range page.Feedback {
			got = append(got, f.ID)
		}
		if page.NextCursor == "" {
			break
		}
		q.Cursor = page.NextCursor
	}
	if strings.Join(got, ",") != strings.Join(want, ",") {
		t.Errorf("paged feedback = %v, want %v", got, want)
	}
}

func testPrune(t *testing.T, s store.Store) {
	base := SampleTime()
	ctx := context.Background()
	var old, fresh []store.Inference
	for i := range 7 {
		old = append(old, Sample(newID(t), base.Add(time.Duration(i)*time.Second)))
	}
	for i := range 3 {
		fresh = append(fresh, Sample(newID(t), base.Add(time.Hour+time.Duration(i)*time.Second)))
	}
	write(t, s, append(old, fresh...)...)
	f := store.Feedback{ID: newID(t), InferenceID: old[0].ID, Metric: "thumbs_up", Kind: "boolean", Value: ptr(1), Created: base}
	if _, _, err := s.WriteFeedback(ctx, f); err != nil {
		t.Fatal(err)
	}
	cutoff := base.Add(30 * time.Minute)
	total := 0
	for round := 0; ; round++ {
		n, err := s.Prune(ctx, cutoff, 3)
		if err != nil {
			t.Fatal(err)
		}
		if n > 3 {
			t.Fatalf("Prune(limit 3) deleted %d", n)
		}
		total += n
		if n == 0 || round > 5 {
			break
		}
	}
	if total != len(old) {
		t.Errorf("pruned %d in all, want %d", total, len(old))
	}
	page, err := s.Inferences(ctx, store.InferenceQuery{})
	if err != nil {
		t.Fatal(err)
	}
	if got := len(page.Inferences); got != len(fresh) {
		t.Errorf("%d inferences left, want %d", got, len(fresh))
	}
	if c, _ := s.Counts(ctx); c.Feedback != 1 {
		t.Errorf("Counts.Feedback = %d after prune, want 1 (feedback is kept)", c.Feedback)
	}
}

func testConcurrentWriters(t *testing.T, s store.Store) {
	base := SampleTime()
	ctx := context.Background()
	const writers, batches, per = 4, 5, 20
	var wg sync.WaitGroup
	errs := make(chan error, writers*batches*2)
	for w := range writers {
		wg.Add(2)
		go func() {
			defer wg.Done()
			for range batches {
				batch := make([]store.Inference, per)
				for i := range batch {
					batch[i] = Sample(uuid.Must(uuid.NewV7()).String(), base)
				}
				errs <- s.WriteInferences(ctx, batch)
			}
		}()
		go func() {
			defer wg.Done()
			for i := range batches {
				_, _, err := s.WriteFeedback(ctx, store.Feedback{ID: uuid.Must(uuid.NewV7()).String(), InferenceID: uuid.Must(uuid.NewV7()).String(),
					Metric: "m", Kind: "boolean", Value: ptr(1), IdempotencyKey: fmt.Sprintf("w%d-%d", w, i), Created: base})
				errs <- err
			}
		}()
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		if err != nil {
			t.Fatal(err)
		}
	}
	c, err := s.Counts(ctx)
	if err != nil || c.Inferences != writers*batches*per || c.Feedback != writers*batches {
		t.Errorf("Counts = %+v, %v; want %d inferences, %d feedback", c, err, writers*batches*per, writers*batches)
	}
}

func testLargeBatch(t *testing.T, s store.Store) {
	base := SampleTime()
	ctx := context.Background()
	batch := make([]store.Inference, 1000)
	for i := range batch {
		batch[i] = Sample(newID(t), base.Add(time.Duration(i)*time.Millisecond))
		batch[i].Response = strings.Repeat("x", 1024)
	}
	write(t, s, batch...)
	if c, _ := s.Counts(ctx); c.Inferences != int64(len(batch)) {
		t.Errorf("Counts.Inferences = %d, want %d", c.Inferences, len(batch))
	}
	got, err := s.Inference(ctx, batch[777].ID)
	if err != nil || got.Response != batch[777].Response {
		t.Errorf("Inference from a large batch: %v (response %d bytes)", err, len(got.Response))
	}
}

// A row no store keeps fails its batch (all or none) with ErrRejected, so
// that the writer can write the others without it; a value one database
// refuses and another keeps (a NUL byte) is stored or refused the same way.
func testRejectedRow(t *testing.T, s store.Store) {
	base := SampleTime()
	ctx := context.Background()
	cases := []struct {
		name      string
		change    func(*store.Inference)
		mayBeKept bool
	}{
		{"episode id over the limit", func(in *store.Inference) { in.EpisodeID = strings.Repeat("e", 20000) }, false},
		{"user over the limit", func(in *store.Inference) { in.User = strings.Repeat("u", store.MaxUser+1) }, false},
		{"id not a uuid", func(in *store.Inference) { in.ID = "not-a-uuid" }, false},
		{"nul byte", func(in *store.Inference) { in.Response = "a\x00b" }, true},
	}
	for _, tc := range cases {
		good, bad := Sample(newID(t), base), Sample(newID(t), base)
		tc.change(&bad)
		err := s.WriteInferences(ctx, []store.Inference{good, bad})
		if err == nil && tc.mayBeKept {
			continue
		}
		if !errors.Is(err, store.ErrRejected) {
			t.Errorf("%s: WriteInferences = %v, want an error matching store.ErrRejected", tc.name, err)
		}
		if _, err := s.Inference(ctx, good.ID); !errors.Is(err, store.ErrNotFound) {
			t.Errorf("%s: the good row of the refused batch: %v, want not stored (all or none)", tc.name, err)
		}
		write(t, s, good) // alone it is written
	}
}

// Client strings at their limits, in multi-byte characters, round-trip.
func testStringsAtLimits(t *testing.T, s store.Store) {
	in := Sample(newID(t), SampleTime())
	in.EpisodeID = store.Truncate(strings.Repeat("é", store.MaxEpisodeID), store.MaxEpisodeID)
	in.User = strings.Repeat("u", store.MaxUser)
	write(t, s, in)
	got, err := s.Inference(context.Background(), in.ID)
	if err != nil {
		t.Fatal(err)
	}
	equalInference(t, got, in)
	f := store.Feedback{ID: newID(t), EpisodeID: in.EpisodeID, Metric: "note", Kind: "comment",
		Text: strings.Repeat("t", store.MaxText), Comment: strings.Repeat("c", store.MaxComment),
		IdempotencyKey: strings.Repeat("k", store.MaxIdempotencyKey), Created: SampleTime()}
	if _, created, err := s.WriteFeedback(context.Background(), f); err != nil || !created {
		t.Fatalf("WriteFeedback at the limits: created %v, %v", created, err)
	}
}
