package open_test

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/flywheel-stack/flywheel/config"
	"github.com/flywheel-stack/flywheel/internal/testenv"
	"github.com/flywheel-stack/flywheel/store/open"
	"github.com/flywheel-stack/flywheel/store/postgres"
	"github.com/flywheel-stack/flywheel/store/storetest"
)

func TestSQLiteFromConfig(t *testing.T) {
	path := filepath.Join(t.TempDir(), "data", "f.db")
	s, err := open.Store(context.Background(), config.Store{Driver: config.DriverSQLite, DSN: path}, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	if s.Location() != path {
		t.Errorf("Location = %q, want %q", s.Location(), path)
	}
	if _, err := os.Stat(path); err != nil {
		t.Errorf("the file was not created: %v", err)
	}
}

func TestSQLiteThatCannotBeOpened(t *testing.T) {
	dir := t.TempDir()
	blocker := filepath.Join(dir, "blocker")
	if err := os.WriteFile(blocker, nil, 0o644); err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(blocker, "f.db")
	_, err := open.Store(context.Background(), config.Store{Driver: config.DriverSQLite, DSN: path}, nil)
	if err == nil || !strings.Contains(err.Error(), path) || !strings.Contains(err.Error(), "not a directory") {
		t.Errorf("error = %v, want the path and the cause", err)
	}
}

func TestDSNFromEnv(t *testing.T) {
	env := map[string]string{"PG": "postgres://u@h/db"}
	getenv := func(k string) string { return env[k] }
	dsn, err := open.DSN(config.Store{Driver: config.DriverPostgres, DSNEnv: "PG"}, getenv)
	if err != nil || dsn != "postgres://u@h/db" {
		t.Errorf("DSN = %q, %v", dsn, err)
	}
	if _, err := open.DSN(config.Store{Driver: config.DriverPostgres, DSNEnv: "MISSING"}, getenv); err == nil ||
		!strings.Contains(err.Error(), "MISSING") {
		t.Errorf("unset dsn_env: %v", err)
	}
}

func TestPostgresFromConfig(t *testing.T) {
	dsn := storetest.PostgresSchema(t, testenv.PostgresDSN(t))
	s, err := open.Store(context.Background(), config.Store{Driver: config.DriverPostgres, DSN: dsn}, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	if err := s.Ping(context.Background()); err != nil {
		t.Fatal(err)
	}
}

func TestPostgresUnreachableStillReturnsTheStore(t *testing.T) {
	s, err := open.Store(context.Background(), config.Store{Driver: config.DriverPostgres,
		DSN: "postgres://postgres@127.0.0.1:1/x?sslmode=disable&connect_timeout=1"}, nil)
	if s == nil || !errors.Is(err, postgres.ErrUnavailable) {
		t.Fatalf("open = %v, %v; want the store and ErrUnavailable", s, err)
	}
	s.Close()
}
