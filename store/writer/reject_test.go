package writer_test

import (
	"context"
	"net/http"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/flywheel-stack/flywheel/clock"
	"github.com/flywheel-stack/flywheel/config"
	"github.com/flywheel-stack/flywheel/internal/testenv"
	"github.com/flywheel-stack/flywheel/store"
	"github.com/flywheel-stack/flywheel/store/postgres"
	"github.com/flywheel-stack/flywheel/store/sqlite"
	"github.com/flywheel-stack/flywheel/store/storetest"
	"github.com/flywheel-stack/flywheel/store/writer"
	"github.com/flywheel-stack/flywheel/telemetry"
	"github.com/prometheus/client_golang/prometheus/testutil"
)

// realStores opens an empty store of each driver: SQLite always,
// PostgreSQL when FLYWHEEL_TEST_POSTGRES_DSN is set.
func realStores(t *testing.T) map[string]func(t *testing.T) store.Store {
	return map[string]func(t *testing.T) store.Store{
		"sqlite": func(t *testing.T) store.Store {
			s, err := sqlite.Open(context.Background(), filepath.Join(t.TempDir(), "f.db"), sqlite.Options{})
			if err != nil {
				t.Fatal(err)
			}
			t.Cleanup(func() { _ = s.Close() })
			return s
		},
		"postgres": func(t *testing.T) store.Store {
			dsn := testenv.PostgresDSN(t)
			s, err := postgres.Open(context.Background(), storetest.PostgresSchema(t, dsn), postgres.Options{})
			if err != nil {
				t.Fatal(err)
			}
			t.Cleanup(func() { _ = s.Close() })
			return s
		},
	}
}

// Issue 10, item 1: an unauthenticated request with a 20 KB episode id, a
// request with an over-long user and one row the store refuses share a
// batch with legitimate inferences. The legitimate ones are all written,
// the long strings are cut to their documented limits, the 401's row keeps
// none of the client's strings, and the refused row is dropped alone and
// counted as rejected.
func TestOneBadRowCannotFailItsBatch(t *testing.T) {
	for name, open := range realStores(t) {
		t.Run(name, func(t *testing.T) {
			st := open(t)
			clk := clock.NewFake(time.Unix(1772366400, 0))
			w := writer.New(st, writer.Options{QueueSize: 100, BatchSize: 100, FlushInterval: time.Hour, Clock: clk,
				Capture: config.DefaultCapture(), Logger: discardLogger()})
			var good []*telemetry.Event
			for range 4 {
				good = append(good, event(clk.Now()))
			}
			unauth := event(clk.Now())
			unauth.EpisodeID = strings.Repeat("x", 20<<10)
			unauth.User = strings.Repeat("u", 900<<10)
			unauth.HTTPStatus, unauth.Status, unauth.ErrorClass = http.StatusUnauthorized, telemetry.StatusClientError, "unauthorized"
			long := event(clk.Now())
			long.EpisodeID = strings.Repeat("é", 20<<10)
			long.User = strings.Repeat("u", 900<<10)
			refused := event(clk.Now())
			refused.InferenceID = "not-a-uuid"

			w.Record(good[0])
			w.Record(unauth)
			w.Record(good[1])
			w.Record(refused)
			w.Record(long)
			w.Record(good[2])
			w.Record(good[3])
			ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
			defer cancel()
			if err := w.Close(ctx); err != nil {
				t.Fatal(err)
			}

			for _, e := range good {
				if _, err := st.Inference(ctx, e.InferenceID); err != nil {
					t.Errorf("legitimate inference %s: %v", e.InferenceID, err)
				}
			}
			got, err := st.Inference(ctx, unauth.InferenceID)
			if err != nil {
				t.Fatalf("the 401's row: %v", err)
			}
			if got.EpisodeID != unauth.InferenceID || got.User != "" || got.HTTPStatus != http.StatusUnauthorized {
				t.Errorf("the 401's row keeps episode %d bytes, user %d bytes, status %d; want its own id, no user, 401",
					len(got.EpisodeID), len(got.User), got.HTTPStatus)
			}
			got, err = st.Inference(ctx, long.InferenceID)
			if err != nil {
				t.Fatalf("the row with long strings: %v", err)
			}
			if !strings.HasPrefix(long.EpisodeID, got.EpisodeID) || len(got.EpisodeID) > store.MaxEpisodeID ||
				len(got.EpisodeID) < store.MaxEpisodeID-1 || len(got.User) != store.MaxUser {
				t.Errorf("long strings stored as episode %d bytes, user %d bytes; want cut to %d and %d",
					len(got.EpisodeID), len(got.User), store.MaxEpisodeID, store.MaxUser)
			}
			if c, err := st.Counts(ctx); err != nil || c.Inferences != 6 {
				t.Errorf("Counts = %+v, %v; want 6 inferences (all but the refused one)", c, err)
			}
			if got := testutil.ToFloat64(dropped(t, w, "rejected")); got != 1 {
				t.Errorf("dropped{rejected} = %g, want 1", got)
			}
			if got := testutil.ToFloat64(dropped(t, w, "write_failed")); got != 0 {
				t.Errorf("dropped{write_failed} = %g, want 0", got)
			}
			if got := testutil.ToFloat64(metric(t, w, "flywheel_telemetry_written_total")); got != 6 {
				t.Errorf("written = %g, want 6", got)
			}
			if w.LastError() != nil {
				t.Errorf("LastError = %v; a refused row is not a store failure", w.LastError())
			}
		})
	}
}
