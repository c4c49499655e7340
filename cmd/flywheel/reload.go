package main

import (
	"context"
	"log/slog"
	"os"
	"sync"

	"github.com/flywheel-stack/flywheel/config"
	"github.com/flywheel-stack/flywheel/internal/server"
)

// reloadOnSignal reloads srv's configuration with load each time a signal
// arrives on sigs (SIGHUP), until ctx ends or the returned stop is called;
// stop returns once the loop has. A configuration that does not load (its
// error names file, line and key) is logged, and the running one keeps
// serving.
func reloadOnSignal(ctx context.Context, sigs <-chan os.Signal, load func(context.Context) (*config.Config, error),
	srv *server.Server, logger *slog.Logger) (stop func()) {
	ctx, cancel := context.WithCancel(ctx)
	var wg sync.WaitGroup
	wg.Go(func() {
		for {
			select {
			case <-ctx.Done():
				return
			case sig := <-sigs:
				logger.Info("reloading the configuration", "signal", sig.String())
				cfg, err := load(ctx)
				if err != nil {
					logger.Error("configuration not reloaded: the running configuration keeps serving", "error", err)
					continue
				}
				_ = srv.Reload(cfg) // Reload logs its outcome
			}
		}
	})
	return func() {
		cancel()
		wg.Wait()
	}
}
