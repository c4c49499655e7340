package health

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/flywheel-stack/flywheel/internal/testenv"
)

// redisUser creates an ACL user with password for the test and deletes it
// afterwards.
func redisUser(t *testing.T, addr, password string) string {
	t.Helper()
	admin := redis.NewClient(&redis.Options{Addr: addr, MaxRetries: -1})
	t.Cleanup(func() { _ = admin.Close() })
	name := fmt.Sprintf("flywheel-health-test-%d", time.Now().UnixNano())
	ctx, cancel := context.WithTimeout(t.Context(), 10*time.Second)
	defer cancel()
	if err := admin.Do(ctx, "ACL", "SETUSER", name, "on", ">"+password, "~*", "+@all").Err(); err != nil {
		t.Fatalf("ACL SETUSER: %v", err)
	}
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		if err := admin.Do(ctx, "ACL", "DELUSER", name).Err(); err != nil {
			t.Errorf("ACL DELUSER: %v", err)
		}
	})
	return name
}

func TestRedisOptionsCheck(t *testing.T) {
	t.Parallel()
	addr := testenv.RedisAddr(t)
	user := redisUser(t, addr, "right-pw-1234")
	tests := []struct {
		name    string
		opts    redis.Options
		want    Status
		wantOut string
	}{
		{"reachable", redis.Options{Addr: addr}, StatusPass, ""},
		{"right password", redis.Options{Addr: addr, Username: user, Password: "right-pw-1234"}, StatusPass, ""},
		{"wrong port", redis.Options{Addr: "127.0.0.1:1"}, StatusFail, "connection refused"},
		{"wrong password", redis.Options{Addr: addr, Username: user, Password: "wrong-pw-5678"}, StatusFail,
			"WRONGPASS invalid username-password pair"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			ctx, cancel := context.WithTimeout(t.Context(), 10*time.Second)
			defer cancel()
			r := RedisOptionsCheck(tt.opts)(ctx)
			if r.Status != tt.want || !strings.Contains(r.Output, tt.wantOut) {
				t.Errorf("got %q %q, want %q containing %q", r.Status, r.Output, tt.want, tt.wantOut)
			}
			if strings.Contains(r.Output, "pw-") {
				t.Errorf("output leaks the password: %q", r.Output)
			}
		})
	}
}

func TestRedisCheckWithClient(t *testing.T) {
	t.Parallel()
	client := redis.NewClient(&redis.Options{Addr: testenv.RedisAddr(t)})
	check := RedisCheck(client)
	if r := check(t.Context()); r.Status != StatusPass {
		t.Fatalf("open client: %q %q", r.Status, r.Output)
	}
	_ = client.Close()
	if r := check(t.Context()); r.Status != StatusFail || !strings.Contains(r.Output, "PING: redis: client is closed") {
		t.Errorf("closed client: %q %q", r.Status, r.Output)
	}
}

func TestRedisSpec(t *testing.T) {
	t.Parallel()
	addr := testenv.RedisAddr(t)
	user := redisUser(t, addr, "spec-pw-1234")
	tests := []struct {
		name string
		spec Spec
		want Status
	}{
		{"addr", Spec{Name: "r", Kind: "redis", Addr: addr}, StatusPass},
		{"url", Spec{Name: "r", Kind: "redis", Addr: "redis://" + addr + "/0"}, StatusPass},
		{"url with credentials", Spec{Name: "r", Kind: "redis", URL: "redis://" + user + ":spec-pw-1234@" + addr + "/0"}, StatusPass},
		{"url with wrong password", Spec{Name: "r", Kind: "redis", URL: "redis://" + user + ":bad-pw-0000@" + addr + "/0"}, StatusFail},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			checks, err := ChecksFromSpec(tt.spec)
			if err != nil {
				t.Fatal(err)
			}
			r := checks[0].Func(t.Context())
			if r.Status != tt.want {
				t.Errorf("got %q %q, want %q", r.Status, r.Output, tt.want)
			}
			if strings.Contains(r.Output, "pw-") {
				t.Errorf("output leaks the password: %q", r.Output)
			}
		})
	}
}
