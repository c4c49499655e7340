package health

import (
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"
	"time"
)

// llamaServer imitates llama.cpp's /health: loading until ready is set.
func llamaServer(t *testing.T, ready *atomic.Bool) *httptest.Server {
	t.Helper()
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path != "/health" {
			http.NotFound(w, r)
			return
		}
		w.Header().Set("Content-Type", "application/json")
		if !ready.Load() {
			w.WriteHeader(http.StatusServiceUnavailable)
			_, _ = w.Write([]byte(`{"error":{"code":503,"message":"Loading model","type":"unavailable_error"}}`))
			return
		}
		_, _ = w.Write([]byte(`{"status":"ok"}`))
	}))
	t.Cleanup(srv.Close)
	return srv
}

func TestLlamaCppLoadingThenReady(t *testing.T) {
	t.Parallel()
	var ready atomic.Bool
	srv := llamaServer(t, &ready)
	fn, err := BackendCheck(Backend{Kind: BackendLlamaCpp, URL: srv.URL})
	if err != nil {
		t.Fatal(err)
	}
	const iv = 10 * time.Second
	c, fc := startChecker(t, Options{Interval: iv}, Check{Name: "llama", Func: fn})
	h := c.Handler()

	waitRuns(t, c, "llama", 1)
	code, body := get(t, h, "/readyz?verbose")
	if code != http.StatusServiceUnavailable ||
		body != "[-]llama failed: starting: llama.cpp is loading the model (Loading model)\nreadyz check failed" {
		t.Fatalf("while loading: GET /readyz?verbose = %d %q", code, body)
	}
	if code, _ := get(t, h, "/livez"); code != http.StatusOK {
		t.Errorf("a loading backend must not fail liveness: GET /livez = %d", code)
	}

	ready.Store(true)
	advance(t, fc, 2, iv)
	waitRuns(t, c, "llama", 2)
	if code, body := get(t, h, "/readyz"); code != http.StatusOK || body != "ok" {
		t.Errorf("once ready: GET /readyz = %d %q", code, body)
	}
}

func TestLlamaCppCheck(t *testing.T) {
	t.Parallel()
	// Each base URL gets its own path prefix; the check appends /health.
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		switch r.URL.Path {
		case "/ready/health":
			_, _ = w.Write([]byte(`{"status":"ok"}`))
		case "/loading/health":
			w.WriteHeader(http.StatusServiceUnavailable)
			_, _ = w.Write([]byte(`{"error":{"code":503,"message":"Loading model","type":"unavailable_error"}}`))
		case "/old-loading/health":
			w.WriteHeader(http.StatusServiceUnavailable)
			_, _ = w.Write([]byte(`{"status":"loading model"}`))
		case "/no-slot/health":
			_, _ = w.Write([]byte(`{"status":"no slot available"}`))
		default:
			w.WriteHeader(http.StatusInternalServerError)
			_, _ = w.Write([]byte(`{"error":{"message":"model failed to load"}}`))
		}
	}))
	t.Cleanup(srv.Close)
	closed := httptest.NewServer(nil)
	closed.Close()
	tests := []struct {
		name    string
		url     string
		want    Status
		wantOut string
	}{
		{"ready", srv.URL + "/ready", StatusPass, ""},
		{"loading is starting, not down", srv.URL + "/loading/", StatusFail, "starting: llama.cpp is loading the model (Loading model)"},
		{"older loading answer", srv.URL + "/old-loading", StatusFail, "starting: llama.cpp is loading the model (loading model)"},
		{"busy", srv.URL + "/no-slot", StatusWarn, `llama.cpp reports "no slot available"`},
		{"error", srv.URL + "/broken", StatusFail, "down: GET " + srv.URL + "/broken/health: status Internal Server Error: " +
			`{"error":{"message":"model failed to load"}}`},
		{"unreachable", closed.URL, StatusFail, "down: Get "},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			r := LlamaCppCheck(Backend{URL: tt.url})(t.Context())
			if r.Status != tt.want || !strings.HasPrefix(r.Output, tt.wantOut) {
				t.Errorf("got %q %q, want %q starting with %q", r.Status, r.Output, tt.want, tt.wantOut)
			}
		})
	}
}

func TestOllamaCheck(t *testing.T) {
	t.Parallel()
	models := `{"models":[{"name":"llama3.2:latest","model":"llama3.2:latest"},{"name":"qwen2.5-coder:7b","model":"qwen2.5-coder:7b"}]}`
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path != "/api/tags" {
			http.NotFound(w, r)
			return
		}
		_, _ = w.Write([]byte(models))
	}))
	t.Cleanup(srv.Close)
	empty := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		_, _ = w.Write([]byte(`{"models":[]}`))
	}))
	t.Cleanup(empty.Close)
	tests := []struct {
		name    string
		url     string
		model   string
		want    Status
		wantOut string
	}{
		{"present without tag", srv.URL, "llama3.2", StatusPass, ""},
		{"present with :latest", srv.URL, "llama3.2:latest", StatusPass, ""},
		{"present with tag", srv.URL, "qwen2.5-coder:7b", StatusPass, ""},
		{"base URL with /v1", srv.URL + "/v1/", "qwen2.5-coder:7b", StatusPass, ""},
		{"no model configured", srv.URL, "", StatusPass, ""},
		{"absent", srv.URL, "mistral", StatusFail, `model "mistral" not found on ollama; available: llama3.2:latest, qwen2.5-coder:7b`},
		{"other tag absent", srv.URL, "qwen2.5-coder:14b", StatusFail,
			`model "qwen2.5-coder:14b" not found on ollama; available: llama3.2:latest, qwen2.5-coder:7b`},
		{"nothing pulled", empty.URL, "llama3.2", StatusFail, `model "llama3.2" not found on ollama: no models available`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			fn, err := BackendCheck(Backend{Kind: BackendOllama, URL: tt.url, Model: tt.model})
			if err != nil {
				t.Fatal(err)
			}
			r := fn(t.Context())
			if r.Status != tt.want || r.Output != tt.wantOut {
				t.Errorf("got %q %q, want %q %q", r.Status, r.Output, tt.want, tt.wantOut)
			}
		})
	}
}

// openAIServer imitates vLLM's /v1/models and /v1/chat/completions, asking
// for key when it is set.
func openAIServer(t *testing.T, key string) *httptest.Server {
	t.Helper()
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if key != "" && r.Header.Get("Authorization") != "Bearer "+key {
			w.WriteHeader(http.StatusUnauthorized)
			_, _ = w.Write([]byte(`{"error":{"message":"invalid key: ` + r.Header.Get("Authorization") + `"}}`))
			return
		}
		switch {
		case r.Method == http.MethodGet && r.URL.Path == "/v1/models":
			_, _ = w.Write([]byte(`{"object":"list","data":[{"id":"Qwen/Qwen2.5-7B-Instruct","object":"model"},{"id":"tiny","object":"model"}]}`))
		case r.Method == http.MethodPost && r.URL.Path == "/v1/chat/completions":
			var req struct {
				Model     string `json:"model"`
				MaxTokens int    `json:"max_tokens"`
			}
			if err := json.NewDecoder(r.Body).Decode(&req); err != nil || req.MaxTokens != 1 {
				w.WriteHeader(http.StatusBadRequest)
				_, _ = w.Write([]byte(`{"error":{"message":"want max_tokens 1"}}`))
				return
			}
			if req.Model != "tiny" {
				w.WriteHeader(http.StatusNotFound)
				_, _ = w.Write([]byte(`{"error":{"message":"The model ` + req.Model + ` does not exist."}}`))
				return
			}
			_, _ = w.Write([]byte(`{"choices":[{"index":0,"message":{"role":"assistant","content":"ok"},"finish_reason":"length"}]}`))
		default:
			http.NotFound(w, r)
		}
	}))
	t.Cleanup(srv.Close)
	return srv
}

func TestOpenAIModelsCheck(t *testing.T) {
	t.Parallel()
	open := openAIServer(t, "")
	keyed := openAIServer(t, "sk-right-key-0001")
	tests := []struct {
		name    string
		b       Backend
		want    Status
		wantOut string
	}{
		{"vllm model present", Backend{Kind: BackendVLLM, URL: open.URL, Model: "Qwen/Qwen2.5-7B-Instruct"}, StatusPass, ""},
		{"vllm base URL with /v1", Backend{Kind: BackendVLLM, URL: open.URL + "/v1", Model: "tiny"}, StatusPass, ""},
		{"vllm model absent", Backend{Kind: BackendVLLM, URL: open.URL, Model: "llama"}, StatusFail,
			`model "llama" not found on vllm; available: Qwen/Qwen2.5-7B-Instruct, tiny`},
		{"openai with key", Backend{Kind: BackendOpenAI, URL: keyed.URL, Model: "tiny", APIKey: "sk-right-key-0001"}, StatusPass, ""},
		{"openai wrong key", Backend{Kind: BackendOpenAI, URL: keyed.URL, Model: "tiny", APIKey: "wrong-key-999"}, StatusFail,
			`Unauthorized (check the API key): {"error":{"message":"invalid key: Bearer xxxxx"}}`},
		{"openai no key", Backend{Kind: BackendOpenAI, URL: keyed.URL, Model: "tiny"}, StatusFail,
			`Unauthorized (check the API key): {"error":{"message":"invalid key: "}}`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			fn, err := BackendCheck(tt.b)
			if err != nil {
				t.Fatal(err)
			}
			r := fn(t.Context())
			if r.Status != tt.want || !strings.HasSuffix(r.Output, tt.wantOut) {
				t.Errorf("got %q %q, want %q ending in %q", r.Status, r.Output, tt.want, tt.wantOut)
			}
			if strings.Contains(r.Output, "wrong-key-999") || strings.Contains(r.Output, "right-key") {
				t.Errorf("output leaks the key: %q", r.Output)
			}
		})
	}
}

func TestGenerationCheck(t *testing.T) {
	t.Parallel()
	srv := openAIServer(t, "sk-right-key-0001")
	loading := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		// llama.cpp's answer to a completion while it loads the model.
		w.WriteHeader(http.StatusServiceUnavailable)
		fmt.Fprint(w, `{"error":{"code":503,"message":"Loading model","type":"unavailable_error"}}`)
	}))
	t.Cleanup(loading.Close)
	tests := []struct {
		name    string
		b       Backend
		want    Status
		wantOut string
	}{
		{"one token generated", Backend{URL: srv.URL, Model: "tiny", APIKey: "sk-right-key-0001"}, StatusPass, ""},
		{"unknown model", Backend{URL: srv.URL + "/v1", Model: "big", APIKey: "sk-right-key-0001"}, StatusFail,
			"generation failed: status Not Found: The model big does not exist."},
		{"wrong key", Backend{URL: srv.URL, Model: "tiny", APIKey: "sk-wrong-key-0002"}, StatusFail,
			"generation failed: status Unauthorized: invalid key: Bearer xxxxx"},
		{"llama.cpp loading", Backend{URL: loading.URL, Model: "tiny"}, StatusFail,
			"starting: the backend is loading the model (Loading model)"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			r := GenerationCheck(tt.b)(t.Context())
			if r.Status != tt.want || r.Output != tt.wantOut {
				t.Errorf("got %q %q, want %q %q", r.Status, r.Output, tt.want, tt.wantOut)
			}
		})
	}
}

func TestBackendCheckUnknownKind(t *testing.T) {
	t.Parallel()
	if _, err := BackendCheck(Backend{Kind: "tgi", URL: "http://x"}); err == nil || !strings.Contains(err.Error(), `"tgi"`) {
		t.Errorf("err = %v", err)
	}
}
