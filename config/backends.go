package config

import (
	"time"

	"github.com/flywheel-stack/flywheel/resilience"
)

// BackendKind names the API a backend speaks.
type BackendKind string

// Backend kinds.
const (
	// KindLlamaCPP is a llama.cpp server.
	KindLlamaCPP BackendKind = "llamacpp"
	// KindOllama is an Ollama server.
	KindOllama BackendKind = "ollama"
	// KindVLLM is a vLLM server.
	KindVLLM BackendKind = "vllm"
	// KindOpenAI is a remote OpenAI-compatible API.
	KindOpenAI BackendKind = "openai"
)

// BackendKinds lists the accepted backend kinds.
func BackendKinds() []BackendKind {
	return []BackendKind{KindLlamaCPP, KindOllama, KindVLLM, KindOpenAI}
}

// DefaultRetryPreset is the retry preset of a backend whose retry section
// sets none.
const DefaultRetryPreset = "llm_inference"

// Backend is one inference server.
type Backend struct {
	// Name identifies the backend in routes, metrics and headers. Required,
	// unique; letters, digits, '_', '.' and '-'.
	Name string `yaml:"name"`
	// Kind is llamacpp, ollama, vllm or openai. Required.
	Kind BackendKind `yaml:"kind"`
	// URL is the server's base URL, http:// or https://. Required.
	URL string `yaml:"url"`
	// APIKeyEnv names the environment variable holding the API key sent to
	// the backend; empty sends none.
	APIKeyEnv string `yaml:"api_key_env"`
	// Timeouts bound each phase of a call.
	Timeouts Timeouts `yaml:"timeouts"`
	// Breaker configures the backend's circuit breaker.
	Breaker BreakerSpec `yaml:"breaker"`
	// Retry configures retries of calls to the backend.
	Retry RetrySpec `yaml:"retry"`
	// MaxConcurrent bounds the requests in flight to the backend; beyond it
	// a route moves on to its next target. 0 means no bound.
	MaxConcurrent int `yaml:"max_concurrent"`
	// MaxEventBytes bounds one SSE event of a stream from the backend; a
	// stream with a longer event ends with an error event. 0 means
	// DefaultMaxEventBytes.
	MaxEventBytes ByteSize `yaml:"max_event_bytes"`
	// DeepCheck adds a health check that runs a real one-token generation
	// at a long interval. Off by default.
	DeepCheck DeepCheck `yaml:"deep_check"`
}

// SetDefaults sets every field to its default: default timeouts, breaker,
// retry and deep check (off), and no name, kind or URL.
func (b *Backend) SetDefaults() {
	*b = Backend{Timeouts: DefaultTimeouts(), Breaker: DefaultBreaker(), Retry: DefaultRetry(), DeepCheck: DefaultDeepCheck()}
}

// DefaultMaxEventBytes is the bound on one SSE event of a backend whose
// max_event_bytes is 0 (unset).
const DefaultMaxEventBytes = 4 * MiB

// BreakerConfig returns the backend's breaker as a resilience.BreakerConfig
// named after the backend.
func (b Backend) BreakerConfig() resilience.BreakerConfig {
	return b.Breaker.ToResilience(b.Name)
}

// RetryConfig returns the backend's retry policy as a
// resilience.RetryConfig named after the backend.
func (b Backend) RetryConfig() (resilience.RetryConfig, error) {
	return b.Retry.ToResilience(b.Name)
}

func (b *Backend) validate(v *validator, path string) {
	v.name(join(path, "name"), b.Name)
	kinds := make([]string, 0, 4)
	for _, k := range BackendKinds() {
		kinds = append(kinds, string(k))
	}
	v.oneOf(join(path, "kind"), string(b.Kind), kinds...)
	v.httpURL(join(path, "url"), b.URL)
	v.envName(join(path, "api_key_env"), b.APIKeyEnv)
	if b.MaxConcurrent < 0 {
		v.errorf(join(path, "max_concurrent"), "must be >= 0 (0: no bound), got %d", b.MaxConcurrent)
	}
	if b.MaxEventBytes < 0 || (v.has(join(path, "max_event_bytes")) && b.MaxEventBytes == 0) {
		v.errorf(join(path, "max_event_bytes"), "must be > 0, got %s", b.MaxEventBytes)
	}
}

// Timeouts bound the phases of a call to a backend.
type Timeouts struct {
	// Connect bounds establishing the connection. Default 2s, or total
	// when that is shorter.
	Connect time.Duration `yaml:"connect"`
	// FirstToken bounds the wait for the first byte of the response.
	// Default 30s, or total when that is shorter.
	FirstToken time.Duration `yaml:"first_token"`
	// Idle bounds the gap between two chunks of a streamed response.
	// Default 60s, or total when that is shorter.
	Idle time.Duration `yaml:"idle"`
	// Total bounds the whole call. Default 300s, or the longest phase the
	// file set when that is longer.
	Total time.Duration `yaml:"total"`
}

// DefaultTimeouts returns the timeouts' defaults.
func DefaultTimeouts() Timeouts {
	return Timeouts{Connect: 2 * time.Second, FirstToken: 30 * time.Second, Idle: 60 * time.Second, Total: 300 * time.Second}
}

// timeoutPhase is one of the timeouts that must fit within Total.
type timeoutPhase struct {
	key string
	d   *time.Duration
}

// phases returns the timeouts that must fit within Total.
func (t *Timeouts) phases() []timeoutPhase {
	return []timeoutPhase{{"connect", &t.Connect}, {"first_token", &t.FirstToken}, {"idle", &t.Idle}}
}

// normalize adapts the defaults to what the file set: total grows to the
// longest phase the file set, and each phase left at its default shrinks to
// total. Only two values the file set can then conflict.
func (t *Timeouts) normalize(v *validator, path string) {
	for _, p := range t.phases() {
		if !v.defaulted(join(path, p.key)) {
			raiseDefault(v, join(path, "total"), &t.Total, *p.d)
		}
	}
	for _, p := range t.phases() {
		lowerDefault(v, join(path, p.key), p.d, t.Total)
	}
}

func (t *Timeouts) validate(v *validator, path string) {
	v.positive(join(path, "connect"), t.Connect)
	v.positive(join(path, "first_token"), t.FirstToken)
	v.positive(join(path, "idle"), t.Idle)
	v.positive(join(path, "total"), t.Total)
	if t.Total <= 0 {
		return
	}
	// A default has adapted (normalize): both values were set.
	for _, p := range t.phases() {
		if *p.d > t.Total {
			v.errorf(join(path, p.key), "must be <= total (%s), got %s", t.Total, *p.d)
		}
	}
}
