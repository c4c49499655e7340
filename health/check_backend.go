package health

import (
	"fmt"
	"net/http"
	"slices"
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
	// Kind is one of BackendKinds.
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

// backendChecks is the one list of the backend kinds: the check of each.
var backendChecks = map[string]func(Backend) CheckFunc{
	BackendLlamaCpp: LlamaCppCheck,
	BackendOllama:   OllamaCheck,
	BackendVLLM:     OpenAIModelsCheck,
	BackendOpenAI:   OpenAIModelsCheck,
}

// BackendKinds returns the inference backend kinds BackendCheck knows,
// sorted.
func BackendKinds() []string {
	out := make([]string, 0, len(backendChecks))
	for k := range backendChecks {
		out = append(out, k)
	}
	slices.Sort(out)
	return out
}

// IsBackendKind reports whether kind is an inference backend kind.
func IsBackendKind(kind string) bool {
	_, ok := backendChecks[kind]
	return ok
}

// BackendCheck returns the readiness check of a backend by kind: llama.cpp
// /health, Ollama /api/tags, or /v1/models for vLLM and OpenAI-compatible
// servers.
func BackendCheck(b Backend) (CheckFunc, error) {
	if check, ok := backendChecks[b.Kind]; ok {
		return check(b), nil
	}
	return nil, fmt.Errorf("%w: backend kind %q unknown (want %s)", ErrInvalidCheck, b.Kind, strings.Join(BackendKinds(), ", "))
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
