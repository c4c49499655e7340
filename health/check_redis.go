package health

import (
	"context"

	"github.com/redis/go-redis/v9"
)

// RedisPinger is the part of a go-redis client (*redis.Client,
// *redis.ClusterClient, redis.UniversalClient) that RedisCheck uses.
type RedisPinger interface {
	Ping(ctx context.Context) *redis.StatusCmd
}

// RedisCheck returns a check that sends PING through client, which the
// caller owns.
func RedisCheck(client RedisPinger) CheckFunc {
	return func(ctx context.Context) Result {
		if err := client.Ping(ctx).Err(); err != nil {
			return Failf("PING: %v", err)
		}
		return Result{Status: StatusPass}
	}
}

// RedisOptionsCheck returns a check that opens a client with opts for every
// run, sends PING and closes it, so that nothing stays open between runs.
// Unless opts says otherwise, it makes one attempt: no command retries and
// one dial. The password never appears in the output.
func RedisOptionsCheck(opts redis.Options) CheckFunc {
	if opts.MaxRetries == 0 {
		opts.MaxRetries = -1
	}
	if opts.DialerRetries == 0 {
		opts.DialerRetries = 1
	}
	scrub := scrubber(opts.Password)
	return func(ctx context.Context) Result {
		o := opts
		client := redis.NewClient(&o)
		defer client.Close()
		if err := client.Ping(ctx).Err(); err != nil {
			return Failf("%s", scrub("PING "+o.Addr+": "+err.Error()))
		}
		return Result{Status: StatusPass}
	}
}
