package health

import (
	"fmt"
	"net/http"
	"strings"
)

// Backend kinds, as the configuration file names them.
const (
	BackendLlamaCpp = "llamacpp"
	BackendOllama   = "ollama"
	BackendVLLM     = "vllm"
	BackendOpenAI   = "openai"
)

// Backend describes an inference backend to check.
type Backend struct {
	// Kind is BackendLlamaCpp, BackendOllama, BackendVLLM or BackendOpenAI.
	Kind string
	// URL is the base URL, e.g. http://127.0.0.1:8080; a trailing "/v1" is
	// accepted.
	URL string
	// Model is the model that must be served; empty skips the model check.
	Model string
	// APIKey, when set, is sent as a bearer token.
	APIKey string
	// Client sends the requests; nil means a private client without
	// keep-alives.
	Client *http.Client
}

// BackendCheck returns the readiness check of a backend by kind: llama.cpp
// /health, Ollama /api/tags, or /v1/models for vLLM and OpenAI-compatible
// servers.
func BackendCheck(b Backend) (CheckFunc, error) {
	switch b.Kind {
	case BackendLlamaCpp:
		return LlamaCppCheck(b), nil
	case BackendOllama:
		return OllamaCheck(b), nil
	case BackendVLLM, BackendOpenAI:
		return OpenAIModelsCheck(b), nil
	}
	return nil, fmt.Errorf("%w: backend kind %q unknown (want %s, %s, %s or %s)",
		ErrInvalidCheck, b.Kind, BackendLlamaCpp, BackendOllama, BackendVLLM, BackendOpenAI)
}

// root returns the base URL without a trailing "/" or "/v1".
func (b Backend) root() string {
	u := strings.TrimRight(b.URL, "/")
	return strings.TrimSuffix(u, "/v1")
}

// header returns the request headers: the bearer token when set.
func (b Backend) header() http.Header {
	h := http.Header{"Accept": {"application/json"}}
	if b.APIKey != "" {
		h.Set("Authorization", "Bearer "+b.APIKey)
	}
	return h
}

// scrub removes the API key from text and redacts it.
func (b Backend) scrub() func(string) string { return scrubber(b.APIKey) }
