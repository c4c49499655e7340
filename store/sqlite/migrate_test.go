package sqlite_test

import (
	"context"
	"database/sql"
	"path/filepath"
	"testing"

	"github.com/flywheel-stack/flywheel/store"
	"github.com/flywheel-stack/flywheel/store/sqlite"
	"github.com/flywheel-stack/flywheel/store/storetest"
	"github.com/pressly/goose/v3"
)

// A file made before migration 2 (idempotency keys were global) is
// upgraded at Open: its keys keep deduplicating on their own target, and
// the same key on another inference is new feedback.
func TestUpgradeScopesIdempotencyKeys(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "old.db")
	db, err := sql.Open("sqlite", "file:"+path)
	if err != nil {
		t.Fatal(err)
	}
	storetest.ApplyOnly(t, db, goose.DialectSQLite3, sqlite.Migrations(), "00001_inferences_feedback.sql")
	const inferenceA, inferenceB = "0190a1b2-0000-7000-8000-00000000000a", "0190a1b2-0000-7000-8000-00000000000b"
	if _, err := db.ExecContext(ctx, `INSERT INTO feedback (id, inference_id, metric, kind, value, idempotency_key, created_us)
		VALUES ('0190a1b2-0000-7000-8000-000000000001', ?, 'thumbs_up', 'boolean', 1, 'click-1', 1)`, inferenceA); err != nil {
		t.Fatal(err)
	}
	if err := db.Close(); err != nil {
		t.Fatal(err)
	}

	s, err := sqlite.Open(ctx, path, sqlite.Options{})
	if err != nil {
		t.Fatalf("Open on a version-1 file: %v", err)
	}
	defer s.Close()
	one := 1.0
	repeat := store.Feedback{ID: "0190a1b2-0000-7000-8000-000000000002", InferenceID: inferenceA, Metric: "thumbs_up",
		Kind: "boolean", Value: &one, IdempotencyKey: "click-1"}
	if got, created, err := s.WriteFeedback(ctx, repeat); err != nil || created || got.ID != "0190a1b2-0000-7000-8000-000000000001" {
		t.Errorf("repeat of an old key = %s created %v, %v; want the stored feedback", got.ID, created, err)
	}
	other := repeat
	other.ID, other.InferenceID = "0190a1b2-0000-7000-8000-000000000003", inferenceB
	if got, created, err := s.WriteFeedback(ctx, other); err != nil || !created || got.ID != other.ID {
		t.Errorf("old key on another inference = %s created %v, %v; want new feedback", got.ID, created, err)
	}
}
