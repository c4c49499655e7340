// Package postgrescheck holds the PostgreSQL health checks, through pgx.
// Importing it registers the health.Spec kinds "postgres" and "postgresql";
// it lives apart from package health so that importing health does not
// pull in pgx.
package postgrescheck

import (
	"context"
	"fmt"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"

	"github.com/flywheel-stack/flywheel/health"
)

// Execer is the part of *pgx.Conn and *pgxpool.Pool that Check uses.
type Execer interface {
	Exec(ctx context.Context, sql string, args ...any) (pgconn.CommandTag, error)
}

// Check returns a check that runs SELECT 1 through db, an open *pgx.Conn or
// *pgxpool.Pool the caller owns.
func Check(db Execer) health.CheckFunc {
	return func(ctx context.Context) health.Result {
		if _, err := db.Exec(ctx, "SELECT 1"); err != nil {
			return health.Failf("SELECT 1: %v", err)
		}
		return health.Result{Status: health.StatusPass}
	}
}

// DialCheck returns a check that opens a connection with dsn (a URL or
// key/value DSN), runs SELECT 1 and closes it, so that every run also
// proves a login works and nothing stays open between runs. The DSN's
// password never appears in the output.
func DialCheck(dsn string) health.CheckFunc {
	var password string
	if cfg, err := pgx.ParseConfig(dsn); err == nil {
		password = cfg.Password
	}
	scrub := health.RedactWith(password)
	return func(ctx context.Context) health.Result {
		conn, err := pgx.Connect(ctx, dsn)
		if err != nil {
			return health.Failf("%s", scrub("connect: "+err.Error()))
		}
		defer conn.Close(ctx)
		if _, err := conn.Exec(ctx, "SELECT 1"); err != nil {
			return health.Failf("%s", scrub("SELECT 1: "+err.Error()))
		}
		return health.Result{Status: health.StatusPass}
	}
}

// build is the health.KindBuilder of postgres: DialCheck(s.DSN).
func build(s health.Spec) (health.CheckFunc, string, error) {
	if s.DSN == "" {
		return nil, "", fmt.Errorf("%w: postgres needs a dsn", health.ErrInvalidCheck)
	}
	return DialCheck(s.DSN), "datastore", nil
}

func init() {
	health.RegisterKind("postgres", build)
	health.RegisterKind("postgresql", build)
}
