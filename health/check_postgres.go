package health

import (
	"context"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
)

// PgxExecer is the part of *pgx.Conn and *pgxpool.Pool that PostgresCheck
// uses.
type PgxExecer interface {
	Exec(ctx context.Context, sql string, args ...any) (pgconn.CommandTag, error)
}

// PostgresCheck returns a check that runs SELECT 1 through db, an open
// *pgx.Conn or *pgxpool.Pool the caller owns.
func PostgresCheck(db PgxExecer) CheckFunc {
	return func(ctx context.Context) Result {
		if _, err := db.Exec(ctx, "SELECT 1"); err != nil {
			return Failf("SELECT 1: %v", err)
		}
		return Result{Status: StatusPass}
	}
}

// PostgresDSNCheck returns a check that opens a connection with dsn (a URL
// or key/value DSN), runs SELECT 1 and closes it, so that every run also
// proves a login works and nothing stays open between runs. The DSN's
// password never appears in the output.
func PostgresDSNCheck(dsn string) CheckFunc {
	var password string
	if cfg, err := pgx.ParseConfig(dsn); err == nil {
		password = cfg.Password
	}
	scrub := scrubber(password)
	return func(ctx context.Context) Result {
		conn, err := pgx.Connect(ctx, dsn)
		if err != nil {
			return Failf("%s", scrub("connect: "+err.Error()))
		}
		defer conn.Close(ctx)
		if _, err := conn.Exec(ctx, "SELECT 1"); err != nil {
			return Failf("%s", scrub("SELECT 1: "+err.Error()))
		}
		return Result{Status: StatusPass}
	}
}
