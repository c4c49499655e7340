package simulate

import (
	"encoding/base64"
	"encoding/binary"
	"fmt"
	"math"
	"net/http"
	"strings"
	"testing"
)

type chatCompletion struct {
	ID      string `json:"id"`
	Object  string `json:"object"`
	Created int64  `json:"created"`
	Model   string `json:"model"`
	Choices []struct {
		Index   int `json:"index"`
		Message struct {
			Role    string `json:"role"`
			Content string `json:"content"`
		} `json:"message"`
		Text         string `json:"text"`
		FinishReason string `json:"finish_reason"`
	} `json:"choices"`
	Usage *usage `json:"usage"`
}

type usage struct {
	PromptTokens     int `json:"prompt_tokens"`
	CompletionTokens int `json:"completion_tokens"`
	TotalTokens      int `json:"total_tokens"`
}

func TestChatCompletion(t *testing.T) {
	t.Parallel()
	h := start(t, Config{Models: []string{"qwen", "llama"}})
	tests := []struct {
		name, body    string
		messages      []Message
		maxTokens     int
		promptTokens  int
		finishAtLimit bool
	}{
		{
			name:         "one message",
			body:         `{"model":"qwen","messages":[{"role":"user","content":"What is two plus two?"}]}`,
			messages:     []Message{{"user", "What is two plus two?"}},
			promptTokens: 5,
		},
		{
			name: "system and user, extra fields ignored",
			body: `{"model":"llama","temperature":0.2,"tools":[],"messages":[{"role":"system","content":"Be brief."},` +
				`{"role":"user","content":"hi there"}]}`,
			messages:     []Message{{"system", "Be brief."}, {"user", "hi there"}},
			promptTokens: 4,
		},
		{
			name:         "content parts hash like the plain string",
			body:         `{"model":"qwen","messages":[{"role":"user","content":[{"type":"text","text":"hi there"}]}]}`,
			messages:     []Message{{"user", "hi there"}},
			promptTokens: 2,
		},
		{
			name:          "max_tokens cuts the answer",
			body:          `{"model":"qwen","max_tokens":3,"messages":[{"role":"user","content":"tell me a story"}]}`,
			messages:      []Message{{"user", "tell me a story"}},
			maxTokens:     3,
			promptTokens:  4,
			finishAtLimit: true,
		},
		{
			name:          "max_completion_tokens wins over max_tokens",
			body:          `{"model":"qwen","max_tokens":30,"max_completion_tokens":2,"messages":[{"role":"user","content":"tell me a story"}]}`,
			messages:      []Message{{"user", "tell me a story"}},
			maxTokens:     2,
			promptTokens:  4,
			finishAtLimit: true,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := h.do(http.MethodPost, "/v1/chat/completions", tt.body)
			if r.status != http.StatusOK {
				t.Fatalf("status %d: %s", r.status, r.body)
			}
			c := decode[chatCompletion](t, r.body)
			text, n := ChatAnswer(tt.maxTokens, tt.messages...)
			model := decode[struct{ Model string }](t, []byte(tt.body)).Model
			if c.Object != "chat.completion" || c.Model != model || !strings.HasPrefix(c.ID, "chatcmpl-") ||
				c.Created != testStart.Unix() || len(c.Choices) != 1 {
				t.Fatalf("envelope: %s", r.body)
			}
			ch := c.Choices[0]
			if ch.Message.Role != "assistant" || ch.Message.Content != text {
				t.Errorf("message %+v, want assistant %q", ch.Message, text)
			}
			wantFinish := "stop"
			if tt.finishAtLimit {
				wantFinish = "length"
			}
			if ch.FinishReason != wantFinish {
				t.Errorf("finish_reason %q, want %q", ch.FinishReason, wantFinish)
			}
			if tt.finishAtLimit && n != tt.maxTokens {
				t.Errorf("answer has %d tokens, want the limit %d", n, tt.maxTokens)
			}
			if c.Usage == nil || *c.Usage != (usage{tt.promptTokens, n, tt.promptTokens + n}) {
				t.Errorf("usage %+v, want prompt %d completion %d", c.Usage, tt.promptTokens, n)
			}
		})
	}
	// Same request, same answer; fresh ids.
	body := tests[0].body
	a := decode[chatCompletion](t, h.do(http.MethodPost, "/v1/chat/completions", body).body)
	b := decode[chatCompletion](t, h.do(http.MethodPost, "/v1/chat/completions", body).body)
	if a.Choices[0].Message.Content != b.Choices[0].Message.Content || a.ID == b.ID {
		t.Errorf("deterministic text and unique ids expected: %+v / %+v", a, b)
	}
}

func TestCompletion(t *testing.T) {
	t.Parallel()
	h := start(t, Config{Models: []string{"m"}})
	for _, tt := range []struct {
		name, body, prompt string
		maxTokens, tokens  int
	}{
		{"string prompt", `{"model":"m","prompt":"Once upon a time"}`, "Once upon a time", 0, 4},
		{"one-element array is the same prompt", `{"model":"m","prompt":["Once upon a time"]}`, "Once upon a time", 0, 4},
		{"max_tokens", `{"model":"m","prompt":"Once upon a time","max_tokens":1}`, "Once upon a time", 1, 4},
	} {
		t.Run(tt.name, func(t *testing.T) {
			r := h.do(http.MethodPost, "/v1/completions", tt.body)
			if r.status != http.StatusOK {
				t.Fatalf("status %d: %s", r.status, r.body)
			}
			c := decode[chatCompletion](t, r.body)
			text, n := CompletionAnswer(tt.prompt, tt.maxTokens)
			if c.Object != "text_completion" || !strings.HasPrefix(c.ID, "cmpl-") || len(c.Choices) != 1 || c.Model != "m" {
				t.Fatalf("envelope: %s", r.body)
			}
			if c.Choices[0].Text != text {
				t.Errorf("text %q, want %q", c.Choices[0].Text, text)
			}
			if c.Usage == nil || *c.Usage != (usage{tt.tokens, n, tt.tokens + n}) {
				t.Errorf("usage %+v", c.Usage)
			}
		})
	}
}

type embeddingList struct {
	Object string `json:"object"`
	Model  string `json:"model"`
	Data   []struct {
		Object    string `json:"object"`
		Index     int    `json:"index"`
		Embedding any    `json:"embedding"`
	} `json:"data"`
	Usage struct {
		PromptTokens int `json:"prompt_tokens"`
		TotalTokens  int `json:"total_tokens"`
	} `json:"usage"`
}

// vector reads an embedding given as a JSON array or a base64 string.
func vector(t *testing.T, v any) []float32 {
	t.Helper()
	switch v := v.(type) {
	case []any:
		out := make([]float32, len(v))
		for i, x := range v {
			out[i] = float32(x.(float64))
		}
		return out
	case string:
		raw, err := base64.StdEncoding.DecodeString(v)
		if err != nil || len(raw)%4 != 0 {
			t.Fatalf("base64 embedding: %v (%d bytes)", err, len(raw))
		}
		out := make([]float32, len(raw)/4)
		for i := range out {
			out[i] = math.Float32frombits(binary.LittleEndian.Uint32(raw[4*i:]))
		}
		return out
	}
	t.Fatalf("embedding of type %T", v)
	return nil
}

func TestEmbeddings(t *testing.T) {
	t.Parallel()
	h := start(t, Config{Models: []string{"embed"}, Dimensions: 16})
	for _, tt := range []struct {
		name, body string
		inputs     []string // nil entries: token ids, not compared with Embedding
		dims       int
		tokens     int
	}{
		{"one string, configured dimensions", `{"model":"embed","input":"hello world"}`, []string{"hello world"}, 16, 2},
		{"array of strings", `{"model":"embed","input":["a b c","d"]}`, []string{"a b c", "d"}, 16, 4},
		{"dimensions field", `{"model":"embed","input":"hello world","dimensions":5}`, []string{"hello world"}, 5, 2},
		{"base64", `{"model":"embed","input":"hello world","encoding_format":"base64"}`, []string{"hello world"}, 16, 2},
		{"base64 with dimensions", `{"model":"embed","input":["x","y"],"encoding_format":"base64","dimensions":3}`, []string{"x", "y"}, 3, 2},
		{"token ids are one input", `{"model":"embed","input":[1,2,3]}`, []string{""}, 16, 3},
		{"arrays of token ids", `{"model":"embed","input":[[1,2],[3]]}`, []string{"", ""}, 16, 3},
	} {
		t.Run(tt.name, func(t *testing.T) {
			r := h.do(http.MethodPost, "/v1/embeddings", tt.body)
			if r.status != http.StatusOK {
				t.Fatalf("status %d: %s", r.status, r.body)
			}
			l := decode[embeddingList](t, r.body)
			if l.Object != "list" || l.Model != "embed" || len(l.Data) != len(tt.inputs) {
				t.Fatalf("envelope: %s", r.body)
			}
			if l.Usage.PromptTokens != tt.tokens || l.Usage.TotalTokens != tt.tokens {
				t.Errorf("usage %+v, want %d", l.Usage, tt.tokens)
			}
			for i, d := range l.Data {
				if d.Index != i || d.Object != "embedding" {
					t.Errorf("item %d: %+v", i, d)
				}
				v := vector(t, d.Embedding)
				if len(v) != tt.dims {
					t.Fatalf("item %d has %d dimensions, want %d", i, len(v), tt.dims)
				}
				var norm float64
				for _, x := range v {
					norm += float64(x) * float64(x)
				}
				if math.Abs(norm-1) > 1e-5 {
					t.Errorf("item %d: squared norm %g, want unit length", i, norm)
				}
				if tt.inputs[i] == "" {
					continue
				}
				want := Embedding(tt.inputs[i], tt.dims)
				for j := range want {
					if v[j] != want[j] {
						t.Fatalf("item %d component %d = %g, Embedding gives %g", i, j, v[j], want[j])
					}
				}
			}
		})
	}
	a := vector(t, decode[embeddingList](t, h.do(http.MethodPost, "/v1/embeddings", `{"model":"embed","input":"one"}`).body).Data[0].Embedding)
	b := vector(t, decode[embeddingList](t, h.do(http.MethodPost, "/v1/embeddings", `{"model":"embed","input":"two"}`).body).Data[0].Embedding)
	if fmt.Sprint(a) == fmt.Sprint(b) {
		t.Error("different inputs got the same vector")
	}
}

func TestModelsAndHealth(t *testing.T) {
	t.Parallel()
	h := start(t, Config{Models: []string{"qwen", "llama", "qwen"}})
	r := h.do(http.MethodGet, "/v1/models", "")
	want := fmt.Sprintf(`{"object":"list","data":[`+
		`{"id":"qwen","object":"model","created":%[1]d,"owned_by":"flywheel-simulator"},`+
		`{"id":"llama","object":"model","created":%[1]d,"owned_by":"flywheel-simulator"}]}`, testStart.Unix())
	if r.status != http.StatusOK || compact(t, string(r.body)) != want {
		t.Errorf("GET /v1/models = %d %s, want %s", r.status, r.body, want)
	}
	r = h.do(http.MethodGet, "/v1/models/llama", "")
	if r.status != http.StatusOK || !strings.Contains(string(r.body), `"id":"llama"`) {
		t.Errorf("GET /v1/models/llama = %d %s", r.status, r.body)
	}
	wantError(t, h.do(http.MethodGet, "/v1/models/gpt-5", ""), http.StatusNotFound, "model_not_found", "qwen, llama")

	r = h.do(http.MethodGet, "/health", "")
	if r.status != http.StatusOK || compact(t, string(r.body)) != `{"status":"ok"}` {
		t.Errorf("GET /health = %d %s", r.status, r.body)
	}

	// With no models configured, any name is accepted and echoed.
	any := start(t, Config{})
	r = any.do(http.MethodPost, "/v1/chat/completions", `{"model":"whatever \"quoted\"","messages":[{"role":"user","content":"x"}]}`)
	if c := decode[chatCompletion](t, r.body); r.status != http.StatusOK || c.Model != `whatever "quoted"` {
		t.Errorf("any model: %d %s", r.status, r.body)
	}
	if r := any.do(http.MethodGet, "/v1/models", ""); compact(t, string(r.body)) != `{"object":"list","data":[]}` {
		t.Errorf("models of an any-model simulator: %s", r.body)
	}
}

func TestBadRequests(t *testing.T) {
	t.Parallel()
	h := start(t, Config{Models: []string{"m"}, MaxBodyBytes: 1024})
	for _, tt := range []struct {
		name, method, path, body string
		status                   int
		code, msg                string
	}{
		{"malformed JSON", "POST", "/v1/chat/completions", `{"model":`, 400, "", "could not parse the JSON"},
		{"wrong type", "POST", "/v1/chat/completions", `{"model":"m","stream":"yes","messages":[]}`, 400, "invalid_type", "stream"},
		{"missing model", "POST", "/v1/chat/completions", `{"messages":[{"role":"user","content":"x"}]}`, 400, "", "model parameter"},
		{"unknown model lists the others", "POST", "/v1/completions", `{"model":"gpt-4o","prompt":"x"}`, 404, "model_not_found", "Available models: m"},
		{"no messages", "POST", "/v1/chat/completions", `{"model":"m","messages":[]}`, 400, "", "'messages'"},
		{"boolean content", "POST", "/v1/chat/completions", `{"model":"m","messages":[{"role":"user","content":true}]}`, 400, "", "boolean"},
		{"embedding without input", "POST", "/v1/embeddings", `{"model":"m"}`, 400, "", "'input'"},
		{"embedding with empty input", "POST", "/v1/embeddings", `{"model":"m","input":[]}`, 400, "", "'input'"},
		{"embedding dimensions out of range", "POST", "/v1/embeddings", `{"model":"m","input":"x","dimensions":-1}`, 400, "", "'dimensions'"},
		{"embedding dimensions too large", "POST", "/v1/embeddings", `{"model":"m","input":"x","dimensions":20000}`, 400, "", "'dimensions'"},
		{"embedding format", "POST", "/v1/embeddings", `{"model":"m","input":"x","encoding_format":"int8"}`, 400, "", "encoding_format"},
		{"body too large", "POST", "/v1/chat/completions", `{"model":"m","messages":[{"role":"user","content":"` + strings.Repeat("a", 2000) + `"}]}`, 413, "request_too_large", "1024 bytes"},
		{"GET on a POST path", "GET", "/v1/chat/completions", "", 405, "method_not_allowed", "use POST"},
		{"POST on a GET path", "POST", "/v1/models", `{}`, 405, "method_not_allowed", "use GET"},
		{"unknown path", "GET", "/v1/assistants", "", 404, "unknown_url", "/v1/assistants"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			wantError(t, h.do(tt.method, tt.path, tt.body), tt.status, tt.code, tt.msg)
		})
	}
	if r := h.do("GET", "/v1/chat/completions", ""); r.header.Get("Allow") != "POST" {
		t.Errorf("405 without Allow: %v", r.header)
	}
}
