package server

import (
	"context"
	"fmt"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/flywheel-stack/flywheel/internal/testenv"
)

// TestRedisDependencyWithPassword probes the real Redis as an ACL user
// whose password comes from password_env: the right password passes, a
// wrong one fails with Redis's reason and never shows the password.
func TestRedisDependencyWithPassword(t *testing.T) {
	addr := testenv.RedisAddr(t)
	admin := redis.NewClient(&redis.Options{Addr: addr, MaxRetries: -1})
	defer admin.Close()
	user := fmt.Sprintf("flywheel-server-test-%d", time.Now().UnixNano())
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	if err := admin.Do(ctx, "ACL", "SETUSER", user, "on", ">right-pw-2468", "~*", "+@all").Err(); err != nil {
		t.Fatalf("ACL SETUSER: %v", err)
	}
	defer admin.Do(context.Background(), "ACL", "DELUSER", user)

	base := startServer(t, fmt.Sprintf(`
health: {interval: 1h}
dependencies:
  - {name: cache, kind: redis, addr: %q, username: %q, password_env: CACHE_PW}
  - {name: cache-wrong, kind: redis, addr: %q, username: %q, password_env: WRONG_PW, critical: false}
`, addr, user, addr, user), map[string]string{"CACHE_PW": "right-pw-2468", "WRONG_PW": "wrong-pw-1357"})
	var code int
	var body string
	waitFor(t, "both Redis checks", func() bool {
		code, body = get(t, base+"/readyz?verbose")
		return !strings.Contains(body, "not yet checked")
	})
	if !strings.Contains(body, "[+]cache ok") || !strings.Contains(body, "[-]cache-wrong failed (non-critical)") ||
		!strings.Contains(body, "WRONGPASS") || code != http.StatusOK {
		t.Fatalf("readyz = %d\n%s", code, body)
	}
	_, report := get(t, base+"/healthz")
	for _, secret := range []string{"right-pw-2468", "wrong-pw-1357"} {
		if strings.Contains(body, secret) || strings.Contains(report, secret) {
			t.Fatalf("a password leaked:\n%s\n%s", body, report)
		}
	}
}
