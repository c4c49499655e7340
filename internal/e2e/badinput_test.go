package e2e

import (
	"context"
	"encoding/json"
	"net/http"
	"strings"
	"testing"

	"github.com/openai/openai-go/v3"
	"github.com/openai/openai-go/v3/option"
)

// badInputConfig has client keys, an admin token and a small body limit.
const badInputConfig = `
server: {api_keys_env: KEYS, admin_token_env: ADMIN, max_body_bytes: 2KiB}
health: {interval: 1h}
backends:
  - {name: local, kind: llamacpp, url: "{local}"}
routes:
  - name: chat
    targets:
      - {backend: local, model: qwen2.5-coder-7b-instruct}
`

// TestBadInputWithOpenAIClient sends what a real client can get wrong and
// checks that the OpenAI client reads each answer as an API error with the
// right status, code and message.
func TestBadInputWithOpenAIClient(t *testing.T) {
	t.Parallel()
	local := localSim(t, "127.0.0.1:0")
	g := startGateway(t, badInputConfig, map[string]string{"local": local.url},
		gatewayOptions{env: map[string]string{"KEYS": "client-key,other-key", "ADMIN": adminToken}})
	settle(t, local)
	ctx := context.Background()

	tests := []struct {
		name     string
		call     func(c *openai.Client) error
		status   int
		code     string
		contains string
	}{
		{"unknown model", func(c *openai.Client) error {
			_, err := c.Chat.Completions.New(ctx, chatParams("gpt-5", "hi"))
			return err
		}, 404, "model_not_found", "Available models: chat, local/qwen2.5-coder-7b-instruct."},
		{"body too large", func(c *openai.Client) error {
			_, err := c.Chat.Completions.New(ctx, chatParams("chat", strings.Repeat("long ", 1000)))
			return err
		}, 413, "request_too_large", "2048 bytes"},
		{"wrong API key", func(c *openai.Client) error {
			_, err := c.Chat.Completions.New(ctx, chatParams("chat", "hi"), option.WithAPIKey("stolen-key"))
			return err
		}, 401, "invalid_api_key", "Incorrect API key"},
		{"wrong API key on the model list", func(c *openai.Client) error {
			_, err := c.Models.List(ctx, option.WithAPIKey("stolen-key"))
			return err
		}, 401, "invalid_api_key", "Incorrect API key"},
		{"wrong API key, streaming", func(c *openai.Client) error {
			s := c.Chat.Completions.NewStreaming(ctx, chatParams("chat", "hi"), option.WithAPIKey("stolen-key"))
			defer s.Close()
			for s.Next() {
			}
			return s.Err()
		}, 401, "invalid_api_key", "Incorrect API key"},
		{"missing model", func(c *openai.Client) error {
			_, err := c.Embeddings.New(ctx, openai.EmbeddingNewParams{Input: openai.EmbeddingNewParamsInputUnion{OfString: openai.String("x")}})
			return err
		}, 400, "missing_model", "You must provide a model parameter."},
	}
	for _, tc := range tests {
		err := tc.call(g.client())
		if err == nil {
			t.Errorf("%s: no error", tc.name)
			continue
		}
		e := apiError(t, err)
		if e.StatusCode != tc.status || e.Code != tc.code || !strings.Contains(e.Message, tc.contains) || e.Type != "invalid_request_error" {
			t.Errorf("%s: %d code %q type %q message %q, want %d %q containing %q", tc.name, e.StatusCode, e.Code, e.Type, e.Message,
				tc.status, tc.code, tc.contains)
		}
	}
	if st := local.Stats(); st.Requests != 0 {
		t.Fatalf("bad input reached the backend: %+v", st)
	}
}

// TestBadInputRaw covers what the OpenAI client never sends, and the admin
// API, with plain HTTP.
func TestBadInputRaw(t *testing.T) {
	t.Parallel()
	local := localSim(t, "127.0.0.1:0")
	g := startGateway(t, badInputConfig, map[string]string{"local": local.url},
		gatewayOptions{env: map[string]string{"KEYS": "client-key", "ADMIN": adminToken}})
	settle(t, local)
	key := []string{"Authorization", "Bearer client-key"}
	tests := []struct {
		name, method, path, body string
		hdr                      []string
		status                   int
		code                     string
		contains                 string
	}{
		{"malformed JSON", "POST", "/v1/chat/completions", `{"model":"chat","messages":[`, key, 400, "invalid_json", "could not parse"},
		{"empty body", "POST", "/v1/completions", ``, key, 400, "invalid_json", "could not parse"},
		{"trailing garbage", "POST", "/v1/chat/completions", `{"model":"chat"} {}`, key, 400, "invalid_json", "could not parse"},
		{"model not a string", "POST", "/v1/embeddings", `{"model":7,"input":"x"}`, key, 400, "invalid_json", "model"},
		{"missing model", "POST", "/v1/chat/completions", `{"messages":[{"role":"user","content":"hi"}]}`, key, 400, "missing_model", "model parameter"},
		{"empty model", "POST", "/v1/chat/completions", `{"model":"","messages":[]}`, key, 400, "missing_model", "model parameter"},
		{"unknown model", "POST", "/v1/completions", `{"model":"llama-9000","prompt":"x"}`, key, 404, "model_not_found", "Available models: chat, local/qwen2.5-coder-7b-instruct."},
		{"body too large", "POST", "/v1/chat/completions", `{"model":"chat","x":"` + strings.Repeat("a", 3000) + `"}`, key, 413, "request_too_large", "2048 bytes"},
		{"no API key", "POST", "/v1/chat/completions", `{"model":"chat"}`, nil, 401, "invalid_api_key", "didn't provide"},
		{"wrong API key", "POST", "/v1/chat/completions", `{"model":"chat"}`, []string{"Authorization", "Bearer client-kez"}, 401, "invalid_api_key", "Incorrect"},
		{"wrong method", "GET", "/v1/chat/completions", ``, key, 405, "method_not_allowed", "use POST"},
		{"wrong method on the model list", "DELETE", "/v1/models", ``, key, 405, "method_not_allowed", "use GET"},
		{"unknown path", "POST", "/v1/chat/completion", `{"model":"chat"}`, key, 404, "unknown_url", "POST /v1/chat/completion"},
		{"unknown admin path", "GET", "/admin/v1/breaker", ``, []string{"Authorization", "Bearer " + adminToken}, 404, "unknown_url", "GET /admin/v1/breaker"},
		{"unknown admin path, no token", "GET", "/admin/v1/breaker", ``, nil, 401, "invalid_admin_token", "admin token"},
		{"wrong admin token", "GET", "/admin/v1/breakers", ``, []string{"Authorization", "Bearer " + adminToken + "x"}, 401, "invalid_admin_token", "admin token"},
		{"client key as admin token", "POST", "/admin/v1/breakers/local/qwen2.5-coder-7b-instruct/open", ``, key, 401, "invalid_admin_token", "admin token"},
		{"no admin token", "GET", "/admin/v1/breakers", ``, nil, 401, "invalid_admin_token", "admin token"},
	}
	for _, tc := range tests {
		code, hdr, body := g.doHeaders(t, tc.method, tc.path, tc.body, tc.hdr...)
		var e struct {
			Error *struct {
				Message string  `json:"message"`
				Type    string  `json:"type"`
				Param   *string `json:"param"`
				Code    *string `json:"code"`
			} `json:"error"`
		}
		if err := json.Unmarshal([]byte(body), &e); err != nil || e.Error == nil || e.Error.Code == nil {
			t.Errorf("%s: not the OpenAI error shape: %d %s", tc.name, code, body)
			continue
		}
		if code != tc.status || *e.Error.Code != tc.code || !strings.Contains(e.Error.Message, tc.contains) ||
			e.Error.Type != "invalid_request_error" || !strings.HasPrefix(hdr.Get("Content-Type"), "application/json") {
			t.Errorf("%s: %d %s, want %d %s containing %q", tc.name, code, body, tc.status, tc.code, tc.contains)
		}
	}
	if code, _ := g.do(t, http.MethodGet, "/admin/v1/breakers", "", "Authorization", "Bearer "+adminToken); code != http.StatusOK {
		t.Fatalf("the right admin token: %d", code)
	}
	if st := local.Stats(); st.Requests != 0 {
		t.Fatalf("bad input reached the backend: %+v", st)
	}
}
