// Package testenv locates the real servers that integration tests use.
//
// FLYWHEEL_TEST_POSTGRES_DSN and FLYWHEEL_TEST_REDIS_ADDR point tests at real
// servers. Without them those tests skip with a message; with
// FLYWHEEL_TEST_REQUIRE_SERVICES=1 (set by .ci/run) a missing server fails the
// run instead.
package testenv

import (
	"os"
	"testing"
)

// PostgresDSN returns the DSN of the test PostgreSQL server, skipping (or
// failing, when services are required) if none is configured.
func PostgresDSN(t testing.TB) string {
	t.Helper()
	return lookup(t, "FLYWHEEL_TEST_POSTGRES_DSN", "PostgreSQL")
}

// RedisAddr returns the host:port of the test Redis server, skipping (or
// failing, when services are required) if none is configured.
func RedisAddr(t testing.TB) string {
	t.Helper()
	return lookup(t, "FLYWHEEL_TEST_REDIS_ADDR", "Redis")
}

// ServicesRequired reports whether FLYWHEEL_TEST_REQUIRE_SERVICES=1.
func ServicesRequired() bool { return os.Getenv("FLYWHEEL_TEST_REQUIRE_SERVICES") == "1" }

func lookup(t testing.TB, env, what string) string {
	t.Helper()
	v := os.Getenv(env)
	if v != "" {
		return v
	}
	if ServicesRequired() {
		t.Fatalf("%s is required (FLYWHEEL_TEST_REQUIRE_SERVICES=1) but %s is not set", what, env)
	}
	t.Skipf("skipping: set %s to run against a real %s server", env, what)
	return ""
}
