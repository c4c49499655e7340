package main

import (
	"context"
	"log/slog"

	"github.com/flywheel-stack/flywheel/config"
	"github.com/flywheel-stack/flywheel/store"
	"github.com/flywheel-stack/flywheel/store/open"
)

// openStore opens the configured store for serve. A SQLite file that
// cannot be opened stops start-up; a PostgreSQL server that is away does
// not: the gateway serves, drops telemetry and answers feedback with 503
// until the server is back.
func openStore(ctx context.Context, cfg *config.Config, logger *slog.Logger) (store.Store, error) {
	st, err := open.Store(ctx, cfg.Store, nil)
	if st == nil {
		return nil, err
	}
	if err != nil {
		logger.Warn("the store is unavailable; serving without it until it is back", "store", st.Location(), "error", err)
	} else {
		logger.Info("store opened", "driver", string(cfg.Store.Driver), "store", st.Location())
	}
	return st, nil
}
