package slo

import (
	"context"
	"path/filepath"
	"testing"

	"github.com/flywheel-stack/flywheel/internal/testenv"
	"github.com/flywheel-stack/flywheel/store/postgres"
	"github.com/flywheel-stack/flywheel/store/sqlite"
	"github.com/flywheel-stack/flywheel/store/storetest"
)

// sqliteAdapter opens a SQLite store in a temporary folder.
func sqliteAdapter(t *testing.T) *StoreAdapter {
	t.Helper()
	s, err := sqlite.Open(context.Background(), filepath.Join(t.TempDir(), "flywheel.db"), sqlite.Options{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = s.Close() })
	return AdaptStore(s)
}

// postgresAdapter opens a PostgreSQL store in a fresh schema, or skips.
func postgresAdapter(t *testing.T) *StoreAdapter {
	t.Helper()
	s, err := postgres.Open(context.Background(), storetest.PostgresSchema(t, testenv.PostgresDSN(t)), postgres.Options{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = s.Close() })
	return AdaptStore(s)
}

// TestEvaluatorOnPostgres plays the fast-burn scenario with two replicas
// sharing one PostgreSQL database, both restarted in the middle of the
// burn, at its resolution and after it: the replicas see the same numbers
// every minute (play fails otherwise), and the alerts fire and resolve in
// the reference's minutes, once, with their original start.
func TestEvaluatorOnPostgres(t *testing.T) {
	t.Parallel()
	sc := loadFixtures(t).Scenarios[0]
	check(t, sc, play(t, sc, postgresAdapter(t), 2, 1483, 1485, 1821, 2142))
}

// TestEvaluatorOnSQLite is the same scenario with one process on a SQLite
// file, restarted at the same minutes.
func TestEvaluatorOnSQLite(t *testing.T) {
	t.Parallel()
	sc := loadFixtures(t).Scenarios[0]
	check(t, sc, play(t, sc, sqliteAdapter(t), 1, 1483, 1485, 1821, 2142))
}
