package demo

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/flywheel-stack/flywheel/config"
	"github.com/flywheel-stack/flywheel/store"
	"github.com/flywheel-stack/flywheel/store/sqlite"
	"github.com/flywheel-stack/flywheel/telemetry"
	"github.com/prometheus/client_golang/prometheus"
)

// checkStored reads the run's data folder back, independently of the
// demo's own accounting: the generated configuration loads and points at
// the SQLite file, which holds an inference for every event the gateway
// recorded and the feedback the demo says it sent, each on a stored
// inference or episode.
func checkStored(t *testing.T, sum *Summary, dataDir string, evs []telemetry.Event) {
	t.Helper()
	s := sum.Storage
	if s == nil {
		t.Fatal("no storage summary")
	}
	if s.Dropped != 0 || s.Inferences != int64(sum.Requests)-s.Dropped {
		t.Errorf("stored %d inferences, %d dropped, for %d requests", s.Inferences, s.Dropped, sum.Requests)
	}
	if s.Sent.Sent == 0 || s.Sent.Accepted != s.Sent.Sent || len(s.Sent.Rejected) != 0 || s.Feedback != int64(s.Sent.Accepted) {
		t.Errorf("feedback: stored %d, sent %+v", s.Feedback, s.Sent)
	}
	for _, m := range []string{metricThumbs, metricRating, metricCorrection} {
		if s.Sent.ByMetric[m] == 0 {
			t.Errorf("no %s feedback: %+v", m, s.Sent.ByMetric)
		}
	}
	if s.Sent.OnEpisodes == 0 || s.Sent.Example == "" {
		t.Errorf("episode feedback %d, example %q", s.Sent.OnEpisodes, s.Sent.Example)
	}
	if s.Total.Inferences != s.Inferences || s.Total.Feedback != s.Feedback {
		t.Errorf("a fresh folder holds %+v, this run added %d and %d", s.Total, s.Inferences, s.Feedback)
	}

	cfg, err := config.Load(filepath.Join(dataDir, configFile))
	if err != nil {
		t.Fatalf("the generated configuration: %v", err)
	}
	if cfg.Store.DSN != filepath.Join(dataDir, dbFile) || s.DB != cfg.Store.DSN {
		t.Errorf("store %q, summary says %q, want %q", cfg.Store.DSN, s.DB, filepath.Join(dataDir, dbFile))
	}
	ctx := context.Background()
	st, err := sqlite.Open(ctx, cfg.Store.DSN, sqlite.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	counts, err := st.Counts(ctx)
	if err != nil || counts != s.Total {
		t.Errorf("the file holds %+v (%v), the summary says %+v", counts, err, s.Total)
	}
	for _, e := range evs {
		in, err := st.Inference(ctx, e.InferenceID)
		if err != nil {
			t.Errorf("inference %s: %v", e.InferenceID, err)
			break
		}
		if in.Route != e.Route || in.Backend != e.Backend || in.EpisodeID == "" || !strings.HasPrefix(in.EpisodeID, "demo-") {
			t.Errorf("stored %+v for event %+v", in, e)
			break
		}
	}
	page, err := st.Feedback(ctx, store.FeedbackQuery{Limit: store.MaxLimit})
	if err != nil || len(page.Feedback) != int(s.Feedback) {
		t.Fatalf("feedback listing: %d rows, %v", len(page.Feedback), err)
	}
	episodes := 0
	for _, f := range page.Feedback {
		switch {
		case f.EpisodeID != "":
			episodes++
			if ok, err := st.HasEpisode(ctx, f.EpisodeID); !ok || err != nil {
				t.Errorf("feedback on unknown episode %q: %v", f.EpisodeID, err)
			}
		default:
			if _, err := st.Inference(ctx, f.InferenceID); err != nil {
				t.Errorf("feedback on inference %s: %v", f.InferenceID, err)
			}
		}
		if f.Metric == metricRating && (f.Value == nil || *f.Value < 1 || *f.Value > 5) {
			t.Errorf("rating %+v", f)
		}
	}
	if episodes != s.Sent.OnEpisodes {
		t.Errorf("%d episode feedback stored, %d sent", episodes, s.Sent.OnEpisodes)
	}
	withFeedback, err := st.Feedback(ctx, store.FeedbackQuery{InferenceID: s.Sent.Example})
	if err != nil || len(withFeedback.Feedback) == 0 {
		t.Errorf("the example inference %s has no feedback: %v", s.Sent.Example, err)
	}
}

func TestPrepareDataKeepsAForeignConfig(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	mine := filepath.Join(dir, configFile)
	if err := os.WriteFile(mine, []byte("server: {listen: 127.0.0.1:8700}\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	if _, err := prepareData(dir); err == nil || !strings.Contains(err.Error(), "--data") {
		t.Errorf("prepareData over a user's flywheel.yaml: %v", err)
	}
	if b, _ := os.ReadFile(mine); string(b) != "server: {listen: 127.0.0.1:8700}\n" {
		t.Errorf("the user's file changed: %q", b)
	}

	// A folder the demo wrote before is reused, its configuration replaced.
	d, err := prepareData(filepath.Join(dir, "new", "demo"))
	if err != nil {
		t.Fatal(err)
	}
	for _, text := range []string{generatedHeader + ": one\n", generatedHeader + ": two\n"} {
		if err := d.writeConfig(text); err != nil {
			t.Fatal(err)
		}
		if _, err := prepareData(d.dir); err != nil {
			t.Fatalf("a generated configuration is refused: %v", err)
		}
		if b, _ := os.ReadFile(d.config); string(b) != text {
			t.Errorf("config %q, want %q", b, text)
		}
	}
}

func TestShellPath(t *testing.T) {
	t.Parallel()
	for in, want := range map[string]string{
		"flywheel-data/demo/flywheel.yaml": "flywheel-data/demo/flywheel.yaml",
		"/home/a b/flywheel.yaml":          "'/home/a b/flywheel.yaml'",
		"/x/it's":                          `'/x/it'\''s'`,
	} {
		if got := shellPath(in); got != want {
			t.Errorf("shellPath(%q) = %s, want %s", in, got, want)
		}
	}
}

func TestFeedbackPlan(t *testing.T) {
	t.Parallel()
	metrics := map[string]int{}
	episodes := 0
	for i := range 60 {
		r := result{ok: i%7 != 0, inferenceID: "id", episodeID: "ep"}
		for _, it := range feedbackFor(i, &r) {
			metrics[it.Metric]++
			if it.EpisodeID != "" {
				episodes++
			}
			if it.IdempotencyKey == "" || (it.InferenceID == "") == (it.EpisodeID == "") {
				t.Errorf("request %d: %+v", i, it)
			}
			if it.Metric == metricCorrection && !r.ok {
				t.Errorf("a correction for a failed request %d", i)
			}
			if it.Metric == metricThumbs && it.Value != r.ok {
				t.Errorf("request %d (ok %v): thumbs %v", i, r.ok, it.Value)
			}
		}
	}
	if metrics[metricThumbs] != 20 || metrics[metricRating] != 15+4 || metrics[metricCorrection] == 0 || episodes != 4 {
		t.Errorf("feedback on 60 requests: %v, %d on episodes", metrics, episodes)
	}
	if feedbackFor(0, &result{}) != nil {
		t.Error("feedback without an inference id")
	}
}

func TestCounterSum(t *testing.T) {
	t.Parallel()
	reg := prometheus.NewRegistry()
	dropped := prometheus.NewCounterVec(prometheus.CounterOpts{Name: "flywheel_telemetry_dropped_total", Help: "h"}, []string{"reason"})
	reg.MustRegister(dropped)
	dropped.WithLabelValues("queue_full").Add(3)
	dropped.WithLabelValues("write_failed").Add(4)
	if n, err := counterSum(reg, "flywheel_telemetry_dropped_total"); err != nil || n != 7 {
		t.Errorf("sum = %v, %v; want 7", n, err)
	}
	if _, err := counterSum(reg, "flywheel_nothing_total"); err == nil {
		t.Error("a missing metric summed to something")
	}
}

// TestStorageSectionSaysWhatIsMissing: drops are reported, and records
// missing beyond them are called out rather than hidden.
func TestStorageSectionSaysWhatIsMissing(t *testing.T) {
	t.Parallel()
	s := &Storage{Dir: "/d", DB: "/d/flywheel.db", Config: "/d/flywheel.yaml", Inferences: 90, Dropped: 8, Feedback: 5,
		Sent: FeedbackTally{Sent: 6, Accepted: 5, ByMetric: map[string]int{metricRating: 5},
			Rejected: map[string]int{"status 503: store away": 1}}, Total: store.Counts{Inferences: 190, Feedback: 50}}
	text := strings.Join(s.section(100, "flywheel").Lines, "\n")
	for _, want := range []string{
		"90 recorded this run: 100 requests, 8 dropped", "2 missing from requests minus dropped",
		"0 thumbs_up, 5 rating, 0 correction", "1 refused: status 503: store away", "other runs included",
		"flywheel inferences list -c /d/flywheel.yaml",
	} {
		if !strings.Contains(text, want) {
			t.Errorf("section lacks %q:\n%s", want, text)
		}
	}
	s.Inferences = 92
	if text := strings.Join(s.section(100, "flywheel").Lines, "\n"); strings.Contains(text, "missing") {
		t.Errorf("requests minus dropped are all there, yet:\n%s", text)
	}
}
