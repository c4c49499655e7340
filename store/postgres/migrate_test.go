package postgres_test

import (
	"context"
	"database/sql"
	"testing"

	"github.com/flywheel-stack/flywheel/internal/testenv"
	"github.com/flywheel-stack/flywheel/store"
	"github.com/flywheel-stack/flywheel/store/postgres"
	"github.com/flywheel-stack/flywheel/store/storetest"
	_ "github.com/jackc/pgx/v5/stdlib" // registers the "pgx" database/sql driver
	"github.com/pressly/goose/v3"
)

// A database made before migration 2 (idempotency keys were global) is
// upgraded at Open: its keys keep deduplicating on their own target, and
// the same key on another inference or an episode is new feedback.
func TestUpgradeScopesIdempotencyKeys(t *testing.T) {
	ctx := context.Background()
	dsn := storetest.PostgresSchema(t, testenv.PostgresDSN(t))
	db, err := sql.Open("pgx", dsn)
	if err != nil {
		t.Fatal(err)
	}
	storetest.ApplyOnly(t, db, goose.DialectPostgres, postgres.Migrations(), "00001_inferences_feedback.sql")
	const inferenceA, inferenceB = "0190a1b2-0000-7000-8000-00000000000a", "0190a1b2-0000-7000-8000-00000000000b"
	if _, err := db.ExecContext(ctx, `INSERT INTO feedback (id, inference_id, metric, kind, value, idempotency_key, created)
		VALUES ('0190a1b2-0000-7000-8000-000000000001', $1, 'thumbs_up', 'boolean', 1, 'click-1', now())`, inferenceA); err != nil {
		t.Fatal(err)
	}
	if err := db.Close(); err != nil {
		t.Fatal(err)
	}

	s, err := postgres.Open(ctx, dsn, postgres.Options{})
	if err != nil {
		t.Fatalf("Open on a version-1 database: %v", err)
	}
	defer s.Close()
	one := 1.0
	repeat := store.Feedback{ID: "0190a1b2-0000-7000-8000-000000000002", InferenceID: inferenceA, Metric: "thumbs_up",
		Kind: "boolean", Value: &one, IdempotencyKey: "click-1", Created: storetest.SampleTime()}
	if got, created, err := s.WriteFeedback(ctx, repeat); err != nil || created || got.ID != "0190a1b2-0000-7000-8000-000000000001" {
		t.Errorf("repeat of an old key = %s created %v, %v; want the stored feedback", got.ID, created, err)
	}
	for i, other := range []store.Feedback{
		{ID: "0190a1b2-0000-7000-8000-000000000003", InferenceID: inferenceB},
		{ID: "0190a1b2-0000-7000-8000-000000000004", EpisodeID: inferenceA},
	} {
		f := repeat
		f.ID, f.InferenceID, f.EpisodeID = other.ID, other.InferenceID, other.EpisodeID
		if got, created, err := s.WriteFeedback(ctx, f); err != nil || !created || got.ID != f.ID {
			t.Errorf("target %d: old key on another target = %s created %v, %v; want new feedback", i, got.ID, created, err)
		}
	}
}
