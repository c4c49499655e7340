package server

import (
	"context"
	"io"
	"net/http"
	"strings"
	"testing"
)

// getWith GETs url with an Authorization header (none when auth is empty).
func getWith(t *testing.T, url, auth string) (int, string) {
	t.Helper()
	req, err := http.NewRequest(http.MethodGet, url, nil)
	if err != nil {
		t.Fatal(err)
	}
	if auth != "" {
		req.Header.Set("Authorization", auth)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(body)
}

// TestHealthDetailsNeedTheAdminToken: the reasons in /readyz?verbose,
// /readyz/NAME and /healthz name database users, hosts and file paths, so
// only a request with the admin token sees them; everyone else sees each
// check's name and status. /metrics shows none of them either way.
func TestHealthDetailsNeedTheAdminToken(t *testing.T) {
	s := newStoreServerEnv(t, `
backends: [{name: sim, kind: openai, url: %s/v1}]
routes: [{name: chat, targets: [{backend: sim, model: m}]}]
health: {interval: 1h}
dependencies:
  - {name: pg, kind: postgres, dsn: "postgres://alice_app:pw-x1@db-internal.example:1/orders?connect_timeout=1", critical: false}
  - {name: cache, kind: tcp, addr: "127.0.0.1:1", critical: false}
`, map[string]string{"FLYWHEEL_ADMIN_TOKEN": "admin-secret-42"})
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	if err := s.srv.Health.Start(ctx); err != nil {
		t.Fatal(err)
	}
	defer s.srv.Health.Stop()
	base, path := s.base, s.store.Location()
	secrets := []string{"alice_app", "db-internal.example", "orders", path, "127.0.0.1:1", "pw-x1"}
	leaks := func(body string) []string {
		var out []string
		for _, s := range secrets {
			if strings.Contains(body, s) {
				out = append(out, s)
			}
		}
		return out
	}
	waitFor(t, "both checks to run", func() bool {
		_, body := getWith(t, base+"/readyz?verbose", "Bearer admin-secret-42")
		return strings.Contains(body, "[-]pg failed") && strings.Contains(body, "[-]cache failed") &&
			!strings.Contains(body, "not yet checked")
	})

	for _, path := range []string{"/readyz?verbose", "/readyz/pg", "/readyz/pg?verbose", "/readyz/store?verbose", "/healthz",
		"/healthz?verbose", "/metrics"} {
		for _, auth := range []string{"", "Bearer wrong-token", "Basic YWRtaW46YWRtaW4tc2VjcmV0LTQy"} {
			code, body := getWith(t, base+path, auth)
			if l := leaks(body); len(l) > 0 {
				t.Errorf("GET %s (Authorization %q) = %d shows %q:\n%s", path, auth, code, l, body)
			}
		}
	}
	// The host values of the performance probe are gauges on /metrics.
	_, metrics := getWith(t, base+"/metrics", "")
	for _, g := range []string{"flywheel_host_cpu_percent ", "flywheel_host_memory_percent ", "flywheel_host_disk_percent "} {
		if !strings.Contains(metrics, "\n"+g) {
			t.Errorf("/metrics lacks %s", g)
		}
	}
	code, body := getWith(t, base+"/readyz?verbose", "")
	if code != http.StatusOK || !strings.Contains(body, "[-]pg failed (non-critical): details withheld") ||
		!strings.Contains(body, "readyz check passed") {
		t.Errorf("anonymous /readyz?verbose must still list every check and its status: %d\n%s", code, body)
	}
	_, body = getWith(t, base+"/healthz", "")
	if !strings.Contains(body, `"pg:responseTime"`) || !strings.Contains(body, `"status": "fail"`) || !strings.Contains(body, "admin token") {
		t.Errorf("anonymous /healthz must keep the checks and their statuses and say how to see more:\n%s", body)
	}

	// The admin view has the reasons, and still never a password.
	for _, p := range []string{"/readyz?verbose", "/readyz/pg", "/healthz"} {
		_, body := getWith(t, base+p, "Bearer admin-secret-42")
		if !strings.Contains(body, "alice_app") || !strings.Contains(body, "db-internal.example") {
			t.Errorf("GET %s with the admin token lacks the reason:\n%s", p, body)
		}
		if strings.Contains(body, "pw-x1") {
			t.Errorf("GET %s with the admin token shows the password:\n%s", p, body)
		}
	}
	_, body = getWith(t, base+"/readyz?verbose", "bearer admin-secret-42")
	if !strings.Contains(body, "127.0.0.1:1") {
		t.Errorf("the admin view (scheme in lower case) lacks the tcp reason:\n%s", body)
	}
	if _, body = getWith(t, base+"/healthz", "Bearer admin-secret-42"); !strings.Contains(body, path) {
		t.Errorf("the admin /healthz lacks the store's path %s:\n%s", path, body)
	}
}

// Without an admin token configured there is no admin view: the details
// stay withheld from every request.
func TestHealthDetailsWithoutAdminToken(t *testing.T) {
	base := startServer(t, `
health: {interval: 1h}
dependencies:
  - {name: pg, kind: postgres, dsn: "postgres://alice_app@db-internal.example:1/orders?connect_timeout=1", critical: false}
`, map[string]string{"FLYWHEEL_ADMIN_TOKEN": ""})
	waitFor(t, "the check to run", func() bool {
		_, body := getWith(t, base+"/readyz?verbose", "")
		return strings.Contains(body, "[-]pg failed") && !strings.Contains(body, "[-]routes")
	})
	for _, auth := range []string{"", "Bearer ", "Bearer x"} {
		if _, body := getWith(t, base+"/readyz?verbose", auth); strings.Contains(body, "alice_app") {
			t.Errorf("Authorization %q: details shown without an admin token configured:\n%s", auth, body)
		}
	}
}
