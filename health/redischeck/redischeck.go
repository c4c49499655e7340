// Package redischeck holds the Redis health checks, through go-redis.
// Importing it registers the health.Spec kind "redis"; it lives apart from
// package health so that importing health does not pull in go-redis.
package redischeck

import (
	"context"
	"fmt"
	"strings"

	"github.com/redis/go-redis/v9"

	"github.com/flywheel-stack/flywheel/health"
)

// Pinger is the part of a go-redis client (*redis.Client,
// *redis.ClusterClient, redis.UniversalClient) that Check uses.
type Pinger interface {
	Ping(ctx context.Context) *redis.StatusCmd
}

// Check returns a check that sends PING through client, which the caller
// owns.
func Check(client Pinger) health.CheckFunc {
	return func(ctx context.Context) health.Result {
		if err := client.Ping(ctx).Err(); err != nil {
			return health.Failf("PING: %v", err)
		}
		return health.Result{Status: health.StatusPass}
	}
}

// DialCheck returns a check that opens a client with opts for every run,
// sends PING and closes it, so that nothing stays open between runs. Unless
// opts says otherwise, it makes one attempt: no command retries and one
// dial. The password never appears in the output.
func DialCheck(opts redis.Options) health.CheckFunc {
	if opts.MaxRetries == 0 {
		opts.MaxRetries = -1
	}
	if opts.DialerRetries == 0 {
		opts.DialerRetries = 1
	}
	scrub := health.RedactWith(opts.Password)
	return func(ctx context.Context) health.Result {
		o := opts
		client := redis.NewClient(&o)
		defer client.Close()
		if err := client.Ping(ctx).Err(); err != nil {
			return health.Failf("%s", scrub("PING "+o.Addr+": "+err.Error()))
		}
		return health.Result{Status: health.StatusPass}
	}
}

// Options returns the client options of a redis Spec: its Addr (host:port
// or a redis:// URL; URL when Addr is empty) with its Username and
// Password.
func Options(s health.Spec) (*redis.Options, error) {
	if s.Addr == "" && s.URL == "" {
		return nil, fmt.Errorf("%w: redis needs an addr", health.ErrInvalidCheck)
	}
	addr := s.Addr
	if addr == "" {
		addr = s.URL
	}
	opts := &redis.Options{Addr: addr}
	if strings.Contains(addr, "://") {
		var err error
		if opts, err = redis.ParseURL(addr); err != nil {
			return nil, fmt.Errorf("%w: redis url: %s", health.ErrInvalidCheck, health.Redact(err.Error()))
		}
	}
	if s.Username != "" {
		opts.Username = s.Username
	}
	if s.Password != "" {
		opts.Password = s.Password
	}
	return opts, nil
}

// build is the health.KindBuilder of redis: DialCheck(Options(s)).
func build(s health.Spec) (health.CheckFunc, string, error) {
	opts, err := Options(s)
	if err != nil {
		return nil, "", err
	}
	return DialCheck(*opts), "datastore", nil
}

func init() { health.RegisterKind("redis", build) }
