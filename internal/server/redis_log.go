package server

import (
	"context"
	"fmt"
	"log/slog"

	"github.com/redis/go-redis/v9"
)

// redisLogger takes go-redis's own log lines into the server's logger at
// debug level. go-redis prints one through the standard log package on
// every failed dial, so a Redis dependency that is down would add an
// unstructured line to stderr at every probe; the health check's result and
// its status-change log line already say it once, with the reason.
type redisLogger struct{ l *slog.Logger }

// Printf logs one go-redis line at debug level.
func (r redisLogger) Printf(ctx context.Context, format string, v ...any) {
	r.l.DebugContext(ctx, fmt.Sprintf(format, v...), "component", "go-redis")
}

// quietRedis installs redisLogger. go-redis keeps its logger process-wide,
// so the last server built wins; every server logs it the same way.
func quietRedis(l *slog.Logger) { redis.SetLogger(redisLogger{l}) }
