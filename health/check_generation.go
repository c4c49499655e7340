package health

import (
	"bytes"
	"context"
	"encoding/json"
	"net/http"
	"strings"
)

// GenerationCheck returns a deep check of a backend: a real one-token
// generation (POST /v1/chat/completions with max_tokens 1), which llama.cpp,
// Ollama, vLLM and OpenAI-compatible servers all serve. It costs a
// generation, so give it a long interval (minutes); Spec leaves it off
// unless Deep is set. A llama.cpp server still loading its model (503
// "Loading model") fails as "starting", as LlamaCppCheck reports it.
func GenerationCheck(b Backend) CheckFunc {
	client := orHealthClient(b.Client)
	url := b.root() + "/v1/chat/completions"
	scrub := b.scrub()
	body, _ := json.Marshal(map[string]any{
		"model":       b.Model,
		"messages":    []map[string]string{{"role": "user", "content": "Reply with one word: ok"}},
		"max_tokens":  1,
		"temperature": 0,
		"stream":      false,
	})
	header := b.header()
	header.Set("Content-Type", "application/json")
	return func(ctx context.Context) Result {
		code, data, err := fetch(ctx, client, http.MethodPost, url, header, bytes.NewReader(body))
		if err != nil {
			return Failf("%s", scrub("down: "+err.Error()))
		}
		var resp struct {
			Choices []json.RawMessage `json:"choices"`
			Error   struct {
				Message string `json:"message"`
			} `json:"error"`
		}
		_ = json.Unmarshal(data, &resp)
		switch {
		case code == http.StatusServiceUnavailable && strings.Contains(strings.ToLower(resp.Error.Message), "loading"):
			// llama.cpp while it loads the model: up, not ready yet.
			return Failf("%s", scrub("starting: the backend is loading the model ("+resp.Error.Message+")"))
		case code != http.StatusOK && resp.Error.Message != "":
			return Failf("%s", scrub("generation failed: status "+http.StatusText(code)+": "+resp.Error.Message))
		case code != http.StatusOK:
			return Failf("%s", scrub("generation failed: status "+http.StatusText(code)+snippet(data)))
		case len(resp.Choices) == 0:
			return Failf("%s", scrub("generation returned no choices"+snippet(data)))
		}
		return Result{Status: StatusPass}
	}
}
