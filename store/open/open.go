// Package open opens the store a configuration names: the SQLite file or
// the PostgreSQL database of the store section.
package open

import (
	"context"
	"fmt"
	"os"

	"github.com/flywheel-stack/flywheel/config"
	"github.com/flywheel-stack/flywheel/store"
	"github.com/flywheel-stack/flywheel/store/postgres"
	"github.com/flywheel-stack/flywheel/store/sqlite"
)

// DSN returns the section's DSN, read from its dsn_env variable when set.
// getenv nil means os.Getenv.
func DSN(cfg config.Store, getenv func(string) string) (string, error) {
	if getenv == nil {
		getenv = os.Getenv
	}
	if cfg.DSNEnv == "" {
		if cfg.DSN == "" && cfg.Driver == config.DriverSQLite {
			return config.DefaultSQLiteDSN, nil
		}
		return cfg.DSN, nil
	}
	dsn := getenv(cfg.DSNEnv)
	if dsn == "" {
		return "", fmt.Errorf("store: the environment variable %s (store.dsn_env) is not set", cfg.DSNEnv)
	}
	return dsn, nil
}

// Store opens the configured store and applies its migrations. A SQLite
// file that cannot be opened or written is an error naming the path and
// the cause. A PostgreSQL server that cannot be reached is not: the store
// is returned, with the error for the caller to log, and it recovers by
// itself when the server comes back.
func Store(ctx context.Context, cfg config.Store, getenv func(string) string) (store.Store, error) {
	dsn, err := DSN(cfg, getenv)
	if err != nil {
		return nil, err
	}
	switch cfg.Driver {
	case config.DriverPostgres:
		s, err := postgres.Open(ctx, dsn, postgres.Options{})
		if s == nil {
			return nil, err
		}
		return s, err
	case config.DriverSQLite, "":
		s, err := sqlite.Open(ctx, dsn, sqlite.Options{})
		if err != nil {
			return nil, err
		}
		return s, nil
	}
	return nil, fmt.Errorf("store: unknown driver %q (store.driver: sqlite or postgres)", cfg.Driver)
}
