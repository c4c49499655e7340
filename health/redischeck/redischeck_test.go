package redischeck

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/flywheel-stack/flywheel/health"
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

func TestDialCheck(t *testing.T) {
	t.Parallel()
	addr := testenv.RedisAddr(t)
	user := redisUser(t, addr, "right-pw-1234")
	tests := []struct {
		name    string
		opts    redis.Options
		want    health.Status
		wantOut string
	}{
		{"reachable", redis.Options{Addr: addr}, health.StatusPass, ""},
		{"right password", redis.Options{Addr: addr, Username: user, Password: "right-pw-1234"}, health.StatusPass, ""},
		{"wrong port", redis.Options{Addr: "127.0.0.1:1"}, health.StatusFail, "connection refused"},
		{"wrong password", redis.Options{Addr: addr, Username: user, Password: "wrong-pw-5678"}, health.StatusFail,
			"WRONGPASS invalid username-password pair"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			ctx, cancel := context.WithTimeout(t.Context(), 10*time.Second)
			defer cancel()
			r := DialCheck(tt.opts)(ctx)
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
	check := Check(client)
	if r := check(t.Context()); r.Status != health.StatusPass {
		t.Fatalf("open client: %q %q", r.Status, r.Output)
	}
	_ = client.Close()
	if r := check(t.Context()); r.Status != health.StatusFail || !strings.Contains(r.Output, "PING: redis: client is closed") {
		t.Errorf("closed client: %q %q", r.Status, r.Output)
	}
}

func TestRedisSpec(t *testing.T) {
	t.Parallel()
	addr := testenv.RedisAddr(t)
	user := redisUser(t, addr, "spec-pw-1234")
	tests := []struct {
		name string
		spec health.Spec
		want health.Status
	}{
		{"addr", health.Spec{Name: "r", Kind: "redis", Addr: addr}, health.StatusPass},
		{"url", health.Spec{Name: "r", Kind: "redis", Addr: "redis://" + addr + "/0"}, health.StatusPass},
		{"url with credentials", health.Spec{Name: "r", Kind: "redis", URL: "redis://" + user + ":spec-pw-1234@" + addr + "/0"}, health.StatusPass},
		{"url with wrong password", health.Spec{Name: "r", Kind: "redis", URL: "redis://" + user + ":bad-pw-0000@" + addr + "/0"}, health.StatusFail},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			checks, err := health.ChecksFromSpec(tt.spec)
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

func TestSpecErrors(t *testing.T) {
	t.Parallel()
	for _, tt := range []struct {
		name, want string
		spec       health.Spec
	}{
		{"no addr", "redis needs an addr", health.Spec{Name: "r", Kind: "redis"}},
		{"bad url", "redis url", health.Spec{Name: "r", Kind: "redis", Addr: "redis://u:s3cret@h:x/zz"}},
	} {
		_, err := health.ChecksFromSpec(tt.spec)
		if !errors.Is(err, health.ErrInvalidCheck) || !strings.Contains(err.Error(), tt.want) {
			t.Errorf("%s: err = %v, want ErrInvalidCheck containing %q", tt.name, err, tt.want)
		}
		if err != nil && strings.Contains(err.Error(), "s3cret") {
			t.Errorf("%s: error leaks the password: %v", tt.name, err)
		}
	}
}
