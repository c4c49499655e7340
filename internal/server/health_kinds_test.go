package server

import (
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"slices"
	"strings"
	"testing"

	"github.com/flywheel-stack/flywheel/config"
	"github.com/flywheel-stack/flywheel/health"
)

// TestEveryConfigKindBuildsAHealthCheck: every dependency kind and every
// backend kind the configuration accepts gives the server a health check,
// so that a kind added to config without a check (or the other way round)
// fails here rather than at someone's start-up.
func TestEveryConfigKindBuildsAHealthCheck(t *testing.T) {
	t.Parallel()
	deps := map[config.DependencyKind]string{
		config.DepPostgres: `{name: d, kind: postgres, dsn: "postgres://u@127.0.0.1:1/db"}`,
		config.DepSQL:      `{name: d, kind: sql, dsn: "postgres://u@127.0.0.1:1/db"}`,
		config.DepRedis:    `{name: d, kind: redis, addr: "127.0.0.1:1", password_env: PW}`,
		config.DepHTTP:     `{name: d, kind: http, url: "http://127.0.0.1:1/health"}`,
		config.DepTCP:      `{name: d, kind: tcp, addr: "127.0.0.1:1"}`,
		config.DepQdrant:   `{name: d, kind: qdrant, url: "http://127.0.0.1:1", collection: docs, api_key_env: KEY}`,
	}
	env := map[string]string{"PW": "pw", "KEY": "key"}
	for _, k := range config.DependencyKinds() {
		item, ok := deps[k]
		if !ok {
			t.Errorf("dependency kind %s has no case here: add one", k)
			continue
		}
		srv := newForKinds(t, "dependencies:\n  - "+item+"\n", env)
		if r, ok := srv.Health.Result("d"); !ok || r.ComponentType == "" {
			t.Errorf("dependency kind %s: no health check (%+v)", k, r)
		}
	}
	for _, k := range config.BackendKinds() {
		if !slices.Contains(health.BackendKinds(), string(k)) {
			t.Errorf("backend kind %s: package health has no check for it", k)
		}
		srv := newForKinds(t, fmt.Sprintf(`
backends:
  - {name: b, kind: %s, url: "http://127.0.0.1:1", deep_check: {enabled: true}}
routes:
  - {name: r, targets: [{backend: b, model: m}]}
`, k), env)
		for _, name := range []string{"backend-b", "backend-b-generation"} {
			if _, ok := srv.Health.Result(name); !ok {
				t.Errorf("backend kind %s: no %s check", k, name)
			}
		}
	}
}

// newForKinds builds (without starting) a server for cfgText.
func newForKinds(t *testing.T, cfgText string, env map[string]string) *Server {
	t.Helper()
	cfg, err := config.Parse("flywheel.yaml", []byte(cfgText))
	if err != nil {
		t.Fatalf("%v\n%s", err, cfgText)
	}
	srv, err := New(cfg, Options{Logger: slog.New(slog.NewTextHandler(io.Discard, nil)), Getenv: testGetenv(env)})
	if err != nil {
		t.Fatalf("New: %v\n%s", err, cfgText)
	}
	return srv
}

// TestQdrantDependencyKeyFromTheEnvironment: an api_key_env naming an
// unset variable stops New with the key path.
func TestQdrantDependencyKeyFromTheEnvironment(t *testing.T) {
	t.Parallel()
	cfg, err := config.Parse("flywheel.yaml", []byte("dependencies:\n  - {name: q, kind: qdrant, url: 'http://h:6333', api_key_env: QDRANT_KEY}\n"))
	if err != nil {
		t.Fatal(err)
	}
	_, err = New(cfg, Options{Logger: slog.New(slog.NewTextHandler(io.Discard, nil)), Getenv: func(string) string { return "" }})
	const want = "dependencies[0].api_key_env: the environment variable QDRANT_KEY, holding the API key of q, is not set"
	if err == nil || err.Error() != want {
		t.Errorf("New = %v, want %q", err, want)
	}
}

// TestQdrantDependencyFromConfig runs qdrant dependencies against a fake
// Qdrant: the collection is asked for with the key from api_key_env, and a
// missing collection fails its check.
func TestQdrantDependencyFromConfig(t *testing.T) {
	qdrant := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		switch {
		case r.URL.Path == "/readyz":
			fmt.Fprint(w, "all shards are ready")
		case r.Header.Get("Api-Key") != "qd-key-2468":
			http.Error(w, "Must provide an API key", http.StatusUnauthorized)
		case r.URL.Path == "/collections/docs":
			fmt.Fprint(w, `{"result":{"status":"green"},"status":"ok","time":0.0001}`)
		default:
			http.Error(w, `{"status":{"error":"Not found"}}`, http.StatusNotFound)
		}
	}))
	defer qdrant.Close()
	base := startServer(t, fmt.Sprintf(`
health: {interval: 1h}
dependencies:
  - {name: vectors, kind: qdrant, url: %q, collection: docs, api_key_env: QDRANT_KEY}
  - {name: vectors-other, kind: qdrant, url: %q, collection: other, api_key_env: QDRANT_KEY, critical: false}
`, qdrant.URL, qdrant.URL), map[string]string{"QDRANT_KEY": "qd-key-2468"})
	var code int
	var body string
	waitFor(t, "both qdrant checks", func() bool {
		code, body = get(t, base+"/readyz?verbose")
		return !strings.Contains(body, "not yet checked")
	})
	if code != http.StatusOK || !strings.Contains(body, "[+]vectors ok") ||
		!strings.Contains(body, `[-]vectors-other failed (non-critical): collection "other" not found`) {
		t.Fatalf("readyz = %d\n%s", code, body)
	}
	if _, report := get(t, base+"/healthz"); strings.Contains(body+report, "qd-key-2468") {
		t.Fatalf("the API key leaked:\n%s\n%s", body, report)
	}
}
