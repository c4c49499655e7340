package loadgen

import (
	"encoding/json"
	"fmt"
	"net/url"
	"strings"
)

// DefaultMaxTokens is the completion length asked for when Target.MaxTokens
// is 0: short, so that the benchmark measures the path and not the model.
const DefaultMaxTokens = 16

// benchPrompt is the one user message every request carries.
const benchPrompt = "Say hello in a few words."

// Target is one side of a comparison: an OpenAI-compatible server and what
// to ask it.
type Target struct {
	// Name labels the side in results, such as "direct" or "via".
	Name string `json:"name"`
	// URL is the base URL, such as http://127.0.0.1:9001. Requests go to
	// URL/v1/chat/completions; a URL that already ends in /v1 is accepted.
	URL string `json:"url"`
	// Model is the model name sent in every request.
	Model string `json:"model"`
	// APIKey, when set, is sent as a Bearer token. It never appears in
	// results.
	APIKey string `json:"-"`
	// MaxTokens caps each completion; 0 means DefaultMaxTokens.
	MaxTokens int `json:"max_tokens"`
}

// endpoint returns the chat completions URL of t.
func (t Target) endpoint() (string, error) {
	u, err := url.Parse(t.URL)
	if err != nil {
		return "", fmt.Errorf("loadgen: %s URL %q: %w", t.Name, t.URL, err)
	}
	if u.Scheme != "http" && u.Scheme != "https" || u.Host == "" {
		return "", fmt.Errorf("loadgen: %s URL %q: want http://host:port or https://host:port", t.Name, t.URL)
	}
	base := strings.TrimRight(t.URL, "/")
	base = strings.TrimSuffix(base, "/v1")
	return base + "/v1/chat/completions", nil
}

// chatBody is the request body; only the fields the benchmark sets.
type chatBody struct {
	Model     string        `json:"model"`
	Messages  []chatMessage `json:"messages"`
	MaxTokens int           `json:"max_tokens"`
	Stream    bool          `json:"stream,omitempty"`
}

type chatMessage struct {
	Role    string `json:"role"`
	Content string `json:"content"`
}

// body returns the JSON request body of t, streamed or not. Both bodies
// differ only in "stream", so the two phases ask for the same answer.
func (t Target) body(stream bool) ([]byte, error) {
	if t.Model == "" {
		return nil, fmt.Errorf("loadgen: %s: no model", t.Name)
	}
	n := t.MaxTokens
	if n == 0 {
		n = DefaultMaxTokens
	}
	if n < 0 {
		return nil, fmt.Errorf("loadgen: %s: max tokens %d is negative", t.Name, n)
	}
	return json.Marshal(chatBody{
		Model:     t.Model,
		Messages:  []chatMessage{{Role: "user", Content: benchPrompt}},
		MaxTokens: n,
		Stream:    stream,
	})
}
