package server

import (
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/flywheel-stack/flywheel/internal/testenv"
)

// testAdminToken is the admin token of the test servers unless the test's
// environment sets FLYWHEEL_ADMIN_TOKEN; get sends it, so that the health
// listings carry their reasons.
const testAdminToken = "test-admin-token"

// testGetenv reads env, with testAdminToken as FLYWHEEL_ADMIN_TOKEN unless
// env has that key.
func testGetenv(env map[string]string) func(string) string {
	return func(k string) string {
		if v, ok := env[k]; ok || k != "FLYWHEEL_ADMIN_TOKEN" {
			return v
		}
		return testAdminToken
	}
}

// startServer runs a server for cfgText on a loopback port until the test
// ends and returns its base URL.
func startServer(t *testing.T, cfgText string, env map[string]string) string {
	t.Helper()
	_, addr, cancel, out := runServerWith(t, cfgText, Options{Getenv: testGetenv(env)})
	t.Cleanup(func() {
		cancel()
		<-out.done
		if out.err != nil {
			t.Errorf("serve: %v", out.err)
		}
	})
	return "http://" + addr
}

// get GETs url with the test admin token.
func get(t *testing.T, url string) (int, string) {
	t.Helper()
	req, err := http.NewRequest(http.MethodGet, url, nil)
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Authorization", "Bearer "+testAdminToken)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(body)
}

// waitFor polls cond until it holds or the deadline passes.
func waitFor(t *testing.T, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	tick := time.NewTicker(10 * time.Millisecond)
	defer tick.Stop()
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting for %s", what)
		}
		<-tick.C
	}
}

// readyAfterRoutesCheck returns /readyz?verbose once the routes check has
// run.
func readyAfterRoutesCheck(t *testing.T, base string) (code int, body string) {
	t.Helper()
	waitFor(t, "the routes check", func() bool {
		code, body = get(t, base+"/readyz?verbose")
		return !strings.Contains(body, "[-]routes failed: not yet checked")
	})
	return code, body
}

func TestServeHealthFromConfig(t *testing.T) {
	pg := testenv.PostgresDSN(t)
	redisAddr := testenv.RedisAddr(t)
	qdrant := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		fmt.Fprint(w, "all shards are ready")
	}))
	defer qdrant.Close()
	base := startServer(t, fmt.Sprintf(`
dependencies:
  - {name: postgres, kind: postgres, dsn_env: PG_DSN, critical: true, weight: 1.0, timeout: 5s}
  - {name: redis, kind: redis, addr: %q, critical: false, weight: 0.5}
  - {name: qdrant, kind: http, url: %q, critical: true, expected_status: "200,204"}
  - {name: cache, kind: tcp, addr: "127.0.0.1:1", critical: false}
`, redisAddr, qdrant.URL+"/readyz"), map[string]string{"PG_DSN": pg})

	var body string
	waitFor(t, "every check to have run", func() bool {
		_, body = get(t, base+"/readyz?verbose")
		return strings.Contains(body, "[+]postgres ok") && strings.Contains(body, "[+]redis ok") &&
			strings.Contains(body, "[+]qdrant ok") && strings.Contains(body, "cache")
	})
	// The only failing dependency is non-critical: readiness warns (200).
	// The file has dependencies and no backend: a health-only server, so
	// the missing routes do not fail it.
	code, body := get(t, base+"/readyz?verbose")
	if code != http.StatusOK || !strings.Contains(body, "[-]cache") ||
		!strings.Contains(body, "[+]routes ok") {
		t.Fatalf("readyz of a health-only server: %d\n%s", code, body)
	}
	if code, body := get(t, base+"/startupz"); code != http.StatusOK {
		t.Fatalf("startupz of a health-only server: %d %s", code, body)
	}
	code, body = get(t, base+"/readyz/postgres")
	if code != http.StatusOK {
		t.Fatalf("/readyz/postgres: %d %s", code, body)
	}
	code, body = get(t, base+"/healthz")
	if code != http.StatusOK || !strings.Contains(body, `"status": "warn"`) || !strings.Contains(body, `"postgres:responseTime"`) ||
		!strings.Contains(body, `"score"`) || !strings.Contains(body, "serving the dependencies' health checks only") {
		t.Fatalf("/healthz: %d\n%s", code, body)
	}
	if strings.Contains(body, "postgres://") {
		t.Fatalf("/healthz leaks the DSN:\n%s", body)
	}
	code, body = get(t, base+"/livez")
	if code != http.StatusOK {
		t.Fatalf("/livez must not depend on dependencies: %d %s", code, body)
	}
	_, metrics := get(t, base+"/metrics")
	for _, want := range []string{`flywheel_health_check_status{check="postgres"} 1`, `flywheel_health_check_status{check="cache"} 0`,
		"flywheel_health_score "} {
		if !strings.Contains(metrics, want) {
			t.Errorf("/metrics lacks %q", want)
		}
	}
}

func TestServeWithBackendsButNoRouteIsNotReady(t *testing.T) {
	base := startServer(t, `
backends:
  - {name: llama, kind: llamacpp, url: "http://127.0.0.1:1"}
dependencies:
  - {name: cache, kind: tcp, addr: "127.0.0.1:1", critical: false}
`, nil)
	code, body := readyAfterRoutesCheck(t, base)
	if code != http.StatusServiceUnavailable || !strings.Contains(body, "[-]routes failed: no route is configured") {
		t.Fatalf("readyz = %d\n%s", code, body)
	}
}

func TestServeWithoutRoutesIsNotReady(t *testing.T) {
	base := startServer(t, "server: {listen: 127.0.0.1:0}\n", nil)
	code, body := readyAfterRoutesCheck(t, base)
	if code != http.StatusServiceUnavailable || !strings.Contains(body, "no route is configured") {
		t.Fatalf("readyz = %d\n%s", code, body)
	}
	if code, _ := get(t, base+"/startupz"); code != http.StatusServiceUnavailable {
		t.Fatalf("startupz = %d, want 503 until a route exists", code)
	}
}
