package health

import (
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
)

// fakeQdrant answers /readyz and /collections/{name} the way Qdrant does:
// the collections need the api-key when one is set, /readyz does not.
type fakeQdrant struct {
	mu          sync.Mutex
	ready       bool
	apiKey      string
	collections map[string]string // name → status (green, yellow, grey, red)
	paths       []string
}

func (q *fakeQdrant) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	q.mu.Lock()
	defer q.mu.Unlock()
	q.paths = append(q.paths, r.URL.EscapedPath())
	if r.URL.Path == "/readyz" {
		if !q.ready {
			http.Error(w, "some shards are not ready", http.StatusServiceUnavailable)
			return
		}
		_, _ = fmt.Fprint(w, "all shards are ready")
		return
	}
	name, ok := strings.CutPrefix(r.URL.Path, "/collections/")
	if !ok || r.Method != http.MethodGet {
		http.NotFound(w, r)
		return
	}
	if q.apiKey != "" && r.Header.Get("Api-Key") != q.apiKey {
		http.Error(w, "Must provide an API key or an Authorization bearer token", http.StatusUnauthorized)
		return
	}
	st, ok := q.collections[name]
	if !ok {
		w.WriteHeader(http.StatusNotFound)
		_, _ = fmt.Fprintf(w, `{"status":{"error":"Not found: Collection %s doesn't exist!"},"time":0.0001}`, name)
		return
	}
	w.Header().Set("Content-Type", "application/json")
	_, _ = fmt.Fprintf(w, `{"result":{"status":%q,"optimizer_status":"ok","points_count":12},"status":"ok","time":0.0001}`, st)
}

func TestQdrantCheck(t *testing.T) {
	t.Parallel()
	q := &fakeQdrant{ready: true, apiKey: "qd-key-123456", collections: map[string]string{
		"docs": "green", "busy": "yellow", "broken": "red", "a b/c": "green"}}
	srv := httptest.NewServer(q)
	t.Cleanup(srv.Close)
	down := &fakeQdrant{}
	notReady := httptest.NewServer(down)
	t.Cleanup(notReady.Close)
	closed := httptest.NewServer(nil)
	closed.Close()
	tests := []struct {
		name    string
		url     string
		opts    QdrantOptions
		want    Status
		wantOut string
	}{
		{"ready", srv.URL, QdrantOptions{}, StatusPass, ""},
		{"ready, url given with /readyz", srv.URL + "/readyz", QdrantOptions{}, StatusPass, ""},
		{"not ready", notReady.URL, QdrantOptions{}, StatusFail, "not ready: GET " + notReady.URL + "/readyz: status 503: some shards are not ready"},
		{"down", closed.URL, QdrantOptions{}, StatusFail, "connection refused"},
		{"green collection", srv.URL + "/", QdrantOptions{Collection: "docs", APIKey: "qd-key-123456"}, StatusPass, ""},
		{"yellow collection serves", srv.URL, QdrantOptions{Collection: "busy", APIKey: "qd-key-123456"}, StatusPass, `collection "busy" is yellow`},
		{"red collection", srv.URL, QdrantOptions{Collection: "broken", APIKey: "qd-key-123456"}, StatusFail, `collection "broken" is red`},
		{"missing collection", srv.URL, QdrantOptions{Collection: "nope", APIKey: "qd-key-123456"}, StatusFail, `collection "nope" not found`},
		{"name escaped in the path", srv.URL, QdrantOptions{Collection: "a b/c", APIKey: "qd-key-123456"}, StatusPass, ""},
		{"no api key", srv.URL, QdrantOptions{Collection: "docs"}, StatusFail, `collection "docs": GET ` + srv.URL + "/collections/docs: status 401"},
		{"wrong api key not echoed", srv.URL, QdrantOptions{Collection: "docs", APIKey: "wrong-key-999"}, StatusFail, "status 401"},
	}
	t.Run("cases", func(t *testing.T) {
		for _, tt := range tests {
			t.Run(tt.name, func(t *testing.T) {
				t.Parallel()
				r := QdrantCheck(tt.url, tt.opts)(t.Context())
				if r.Status != tt.want || !strings.Contains(r.Output, tt.wantOut) {
					t.Errorf("got %q %q, want %q containing %q", r.Status, r.Output, tt.want, tt.wantOut)
				}
				if strings.Contains(r.Output, "key-") {
					t.Errorf("output leaks the API key: %q", r.Output)
				}
			})
		}
	})
	q.mu.Lock()
	defer q.mu.Unlock()
	for _, p := range q.paths {
		if strings.Contains(p, "readyz/readyz") || strings.Contains(p, "//") {
			t.Errorf("bad request path %q", p)
		}
	}
	found := false
	for _, p := range q.paths {
		found = found || p == "/collections/a%20b%2Fc"
	}
	if !found {
		t.Errorf("no request for the escaped collection name in %q", q.paths)
	}
}

// A Spec of kind qdrant reaches QdrantCheck with its collection and key.
func TestQdrantSpec(t *testing.T) {
	t.Parallel()
	q := &fakeQdrant{ready: true, apiKey: "qd-key-654321", collections: map[string]string{"docs": "green"}}
	srv := httptest.NewServer(q)
	t.Cleanup(srv.Close)
	for _, tt := range []struct {
		spec Spec
		want Status
	}{
		{Spec{Name: "q", Kind: KindQdrant, URL: srv.URL, Collection: "docs", APIKey: "qd-key-654321"}, StatusPass},
		{Spec{Name: "q", Kind: KindQdrant, URL: srv.URL, Collection: "other", APIKey: "qd-key-654321"}, StatusFail},
	} {
		checks, err := ChecksFromSpec(tt.spec)
		if err != nil {
			t.Fatal(err)
		}
		if checks[0].ComponentType != "datastore" {
			t.Errorf("componentType %q, want datastore", checks[0].ComponentType)
		}
		if r := checks[0].Func(t.Context()); r.Status != tt.want {
			t.Errorf("collection %s: got %q %q, want %q", tt.spec.Collection, r.Status, r.Output, tt.want)
		}
	}
}
