package demo

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io/fs"
	"maps"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"time"

	"github.com/flywheel-stack/flywheel/config"
	"github.com/flywheel-stack/flywheel/provenance"
	"github.com/flywheel-stack/flywheel/store"
	"github.com/flywheel-stack/flywheel/store/open"
	"github.com/prometheus/client_golang/prometheus"
)

// DefaultDataDir is the folder, relative to the working directory, where
// the demo keeps its SQLite store and the flywheel.yaml it generated.
const DefaultDataDir = "flywheel-data/demo"

// Names of the files in the data folder.
const (
	dbFile     = "flywheel.db"
	configFile = "flywheel.yaml"
)

// dataFolder is where a run writes: the SQLite file and the configuration
// that points at it, both kept after the demo exits.
type dataFolder struct {
	dir, db, config string // absolute paths
}

// prepareData creates the data folder. It refuses a folder whose
// flywheel.yaml the demo did not write, so that --data never overwrites a
// user's own configuration.
func prepareData(dir string) (dataFolder, error) {
	abs, err := filepath.Abs(dir)
	if err != nil {
		return dataFolder{}, fmt.Errorf("demo: data folder %s: %w", dir, err)
	}
	if err := os.MkdirAll(abs, 0o755); err != nil {
		return dataFolder{}, fmt.Errorf("demo: create the data folder: %w", err)
	}
	d := dataFolder{dir: abs, db: filepath.Join(abs, dbFile), config: filepath.Join(abs, configFile)}
	generated, err := isGenerated(d.config)
	if err != nil {
		return dataFolder{}, fmt.Errorf("demo: data folder: %w", err)
	}
	if !generated {
		return dataFolder{}, fmt.Errorf("demo: %s exists and was not written by flywheel demo; choose another folder with --data", d.config)
	}
	return d, nil
}

// isGenerated reports whether path is absent or a configuration the demo
// wrote.
func isGenerated(path string) (bool, error) {
	f, err := os.Open(path)
	if errors.Is(err, fs.ErrNotExist) {
		return true, nil
	}
	if err != nil {
		return false, err
	}
	defer f.Close()
	line, err := bufio.NewReader(f).ReadString('\n')
	if err != nil && line == "" {
		return false, nil
	}
	return strings.HasPrefix(line, generatedHeader), nil
}

// writeConfig writes the generated configuration next to the store,
// replacing the previous run's in one rename.
func (d dataFolder) writeConfig(text string) error {
	if err := provenance.WriteFileAtomic(d.config, []byte(text)); err != nil {
		return fmt.Errorf("demo: %w", err)
	}
	return nil
}

// openStore opens the configuration's store the way `flywheel serve` does
// (store/open).
func openStore(ctx context.Context, cfg *config.Config) (store.Store, error) {
	st, err := open.Store(ctx, cfg.Store, demoEnv)
	if err != nil {
		if st != nil {
			_ = st.Close()
		}
		return nil, fmt.Errorf("demo: %w", err)
	}
	return st, nil
}

// runMark tells one run's records from those of other runs in the same
// store: they start after since, and their episode ids carry the run's tag.
type runMark struct {
	since time.Time
	tag   string
}

// episodePrefix starts the episode id of every request of the run.
func (m runMark) episodePrefix() string { return "demo-" + m.tag + "-" }

// count reads back the inferences and the feedback of the run.
func (m runMark) count(ctx context.Context, st store.Store) (inferences, feedback int64, err error) {
	prefix := m.episodePrefix()
	ids := map[string]bool{}
	iq := store.InferenceQuery{Since: m.since, Limit: store.MaxLimit}
	for {
		page, err := st.Inferences(ctx, iq)
		if err != nil {
			return 0, 0, err
		}
		for _, in := range page.Inferences {
			if strings.HasPrefix(in.EpisodeID, prefix) {
				ids[in.ID] = true
			}
		}
		if iq.Cursor = page.NextCursor; iq.Cursor == "" {
			break
		}
	}
	fq := store.FeedbackQuery{Since: m.since, Limit: store.MaxLimit}
	for {
		page, err := st.Feedback(ctx, fq)
		if err != nil {
			return 0, 0, err
		}
		for _, f := range page.Feedback {
			if ids[f.InferenceID] || strings.HasPrefix(f.EpisodeID, prefix) {
				feedback++
			}
		}
		if fq.Cursor = page.NextCursor; fq.Cursor == "" {
			break
		}
	}
	return int64(len(ids)), feedback, nil
}

// Storage is what a run left in its store, read back from it after the
// gateway stopped and the telemetry writer flushed.
type Storage struct {
	// Dir is the data folder; DB the SQLite file in it; Config the
	// generated flywheel.yaml that the CLI reads it with. Absolute paths.
	Dir, DB, Config string
	// Inferences is the inference records this run added to the store.
	Inferences int64
	// Dropped is the events the telemetry writer dropped
	// (flywheel_telemetry_dropped_total): Inferences is the requests minus
	// these.
	Dropped int64
	// Feedback is the feedback records this run added.
	Feedback int64
	// Sent is the feedback the demo sent through POST /v1/feedback.
	Sent FeedbackTally
	// Total is everything the store holds, earlier runs included.
	Total store.Counts
}

// measure reads back what the run stored (its own records, even when
// another run writes to the same store meanwhile) and what the store holds
// in all, and the writer's drops from the gateway's metrics.
func (d dataFolder) measure(ctx context.Context, st store.Store, run runMark, reg prometheus.Gatherer,
	sent FeedbackTally) (*Storage, error) {
	inferences, feedback, err := run.count(ctx, st)
	if err != nil {
		return nil, fmt.Errorf("demo: read the store back: %w", err)
	}
	total, err := st.Counts(ctx)
	if err != nil {
		return nil, fmt.Errorf("demo: read the store back: %w", err)
	}
	dropped, err := counterSum(reg, "flywheel_telemetry_dropped_total")
	if err != nil {
		return nil, fmt.Errorf("demo: read the gateway's metrics: %w", err)
	}
	return &Storage{Dir: d.dir, DB: d.db, Config: d.config, Inferences: inferences, Dropped: int64(dropped),
		Feedback: feedback, Sent: sent, Total: total}, nil
}

// counterSum adds up every series of the counter family name.
func counterSum(g prometheus.Gatherer, name string) (float64, error) {
	fams, err := g.Gather()
	if err != nil {
		return 0, err
	}
	for _, f := range fams {
		if f.GetName() != name {
			continue
		}
		sum := 0.0
		for _, m := range f.GetMetric() {
			sum += m.GetCounter().GetValue()
		}
		return sum, nil
	}
	return 0, fmt.Errorf("no metric %s", name)
}

// section is the summary's account of the store: what this run added,
// whether it matches what was sent, and how to look at it.
func (s *Storage) section(requests int, command string) Section {
	cfg := shellPath(displayPath(s.Config))
	sec := Section{Title: fmt.Sprintf("Stored in %s (SQLite, kept after the demo; each run adds to it)", displayPath(s.DB))}
	add := func(format string, args ...any) { sec.Lines = append(sec.Lines, fmt.Sprintf(format, args...)) }
	add("inferences  %d recorded this run: %d requests, %d dropped by the telemetry queue", s.Inferences, requests, s.Dropped)
	if want := int64(requests) - s.Dropped; s.Inferences != want {
		add("            %d missing from requests minus dropped: pruned by store.retention already?", want-s.Inferences)
	}
	add("feedback    %d stored this run, sent through POST /v1/feedback: %s; %d of them on whole episodes",
		s.Feedback, metricCounts(s.Sent.ByMetric), s.Sent.OnEpisodes)
	for _, p := range slices.Sorted(maps.Keys(s.Sent.Rejected)) {
		add("            %d refused: %s", s.Sent.Rejected[p], p)
	}
	earlier := "other runs included"
	if s.Total.Inferences == s.Inferences && s.Total.Feedback == s.Feedback {
		earlier = "a new store"
	}
	add("in all      %d inferences and %d feedback, %s", s.Total.Inferences, s.Total.Feedback, earlier)
	add("look        %s inferences list -c %s", command, cfg)
	if s.Sent.Example != "" {
		add("            %s inferences show %s -c %s", command, s.Sent.Example, cfg)
	}
	add("            %s feedback list -c %s", command, cfg)
	add("            (rm -r %s to start afresh)", shellPath(displayPath(s.Dir)))
	return sec
}

// metricCounts lists counts by metric in the order the demo defines them.
func metricCounts(m map[string]int) string {
	parts := make([]string, 0, 3)
	for _, name := range []string{metricThumbs, metricRating, metricCorrection} {
		parts = append(parts, fmt.Sprintf("%d %s", m[name], name))
	}
	return strings.Join(parts, ", ")
}

// displayPath shows path relative to the working directory when it is
// inside it, else as it is.
func displayPath(path string) string {
	wd, err := os.Getwd()
	if err != nil {
		return path
	}
	rel, err := filepath.Rel(wd, path)
	if err != nil || rel == ".." || strings.HasPrefix(rel, ".."+string(filepath.Separator)) {
		return path
	}
	return rel
}

// shellPath quotes a path for a POSIX shell when it needs it.
func shellPath(p string) string {
	if p != "" && strings.IndexFunc(p, func(r rune) bool {
		return !(r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || strings.ContainsRune("/._-+:@%", r))
	}) < 0 {
		return p
	}
	return "'" + strings.ReplaceAll(p, "'", `'\''`) + "'"
}
