package health

import (
	"context"
	"database/sql"
	"net/url"
	"strings"
	"testing"
	"time"

	_ "github.com/jackc/pgx/v5/stdlib" // the "pgx" database/sql driver

	"github.com/flywheel-stack/flywheel/internal/testenv"
)

func TestSQLCheck(t *testing.T) {
	t.Parallel()
	dsn := testenv.PostgresDSN(t)
	tests := []struct {
		name    string
		dsn     string
		want    Status
		wantOut string
	}{
		{"reachable", dsn, StatusPass, ""},
		{"wrong port", wrongPort(t, dsn), StatusFail, "ping: failed to connect"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			db, err := sql.Open("pgx", tt.dsn)
			if err != nil {
				t.Fatal(err)
			}
			defer db.Close()
			ctx, cancel := context.WithTimeout(t.Context(), 10*time.Second)
			defer cancel()
			r := SQLCheck(db)(ctx)
			if r.Status != tt.want || !strings.Contains(r.Output, tt.wantOut) {
				t.Errorf("got %q %q, want %q containing %q", r.Status, r.Output, tt.want, tt.wantOut)
			}
		})
	}
}

// wrongPort returns dsn (a postgres:// URL) pointing at a closed port.
func wrongPort(t *testing.T, dsn string) string {
	t.Helper()
	u, err := url.Parse(dsn)
	if err != nil || u.Scheme == "" {
		t.Fatalf("FLYWHEEL_TEST_POSTGRES_DSN must be a postgres:// URL for this test")
	}
	u.Host = "127.0.0.1:1"
	return u.String()
}
