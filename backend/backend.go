// Package backend holds the inference servers the gateway sends requests to:
// llama.cpp, Ollama, vLLM and OpenAI-compatible remote APIs, each with its
// own tuned connection pool, timeouts, retry policy and concurrency bound.
package backend

import (
	"fmt"
	"net"
	"net/http"
	"net/url"
	"os"
	"strings"
	"sync/atomic"
	"time"

	"github.com/flywheel-stack/flywheel/clock"
	"github.com/flywheel-stack/flywheel/config"
	"github.com/flywheel-stack/flywheel/resilience"
)

// Endpoint is an OpenAI-compatible API the gateway proxies.
type Endpoint uint8

const (
	// Chat is POST /v1/chat/completions.
	Chat Endpoint = iota
	// Completions is POST /v1/completions.
	Completions
	// Embeddings is POST /v1/embeddings.
	Embeddings
	// Models is GET /v1/models.
	Models
	numEndpoints
)

var endpointPaths = [numEndpoints]string{"/chat/completions", "/completions", "/embeddings", "/models"}

// String returns the endpoint's short name, as telemetry records it.
func (e Endpoint) String() string {
	return [numEndpoints]string{"chat", "completions", "embeddings", "models"}[e]
}

// Path returns the endpoint's path under /v1.
func (e Endpoint) Path() string { return "/v1" + endpointPaths[e] }

// Backend is one inference server. It is safe for concurrent use.
type Backend struct {
	// Name identifies the backend in routes, metrics and headers.
	Name string
	// Kind is the server software.
	Kind config.BackendKind
	// BaseURL is the configured URL.
	BaseURL string
	// Timeouts bound each phase of a call.
	Timeouts config.Timeouts
	// Client sends requests over the backend's own connection pool.
	Client *http.Client
	// Retrier is the backend's retry policy.
	Retrier *resilience.Retrier
	// MaxConcurrent bounds requests in flight; 0 means no bound.
	MaxConcurrent int

	apiKey   string
	urls     [numEndpoints]string
	inFlight atomic.Int64
}

// New builds a backend from its config section, reading its API key with
// getenv (nil: os.Getenv) from the environment variable the section names.
func New(c config.Backend, getenv func(string) string) (*Backend, error) {
	return NewWithClock(c, getenv, nil)
}

// NewWithClock is New with the clock the backend's retry policy waits on
// (nil: the real clock), so that a gateway on a fake clock retries on it.
func NewWithClock(c config.Backend, getenv func(string) string, clk clock.Clock) (*Backend, error) {
	if getenv == nil {
		getenv = os.Getenv
	}
	u, err := url.Parse(c.URL)
	if err != nil {
		return nil, fmt.Errorf("backend %s: url: %w", c.Name, err)
	}
	rc, err := c.RetryConfig()
	if err != nil {
		return nil, fmt.Errorf("backend %s: retry: %w", c.Name, err)
	}
	if rc.Clock == nil {
		rc.Clock = clk
	}
	if rc.Budget == nil {
		// One budget per backend, shared by every call to it, so that an
		// outage does not multiply the load on what is left of it.
		rc.Budget = resilience.NewBudget(resilience.BudgetConfig{Clock: clk})
	}
	b := &Backend{
		Name: c.Name, Kind: c.Kind, BaseURL: c.URL, Timeouts: c.Timeouts, MaxConcurrent: c.MaxConcurrent,
		Client:  &http.Client{Transport: NewTransport(c.Timeouts.Connect)},
		Retrier: resilience.NewRetrier(rc),
	}
	if c.APIKeyEnv != "" {
		b.apiKey = getenv(c.APIKeyEnv)
	}
	// A base URL that already ends in /v1 (https://api.openai.com/v1) is
	// the API root; otherwise /v1 is added.
	base := strings.TrimSuffix(u.String(), "/")
	if !strings.HasSuffix(base, "/v1") {
		base += "/v1"
	}
	for e := range numEndpoints {
		b.urls[e] = base + endpointPaths[e]
	}
	return b, nil
}

// URL returns the full URL of an endpoint on this backend.
func (b *Backend) URL(e Endpoint) string { return b.urls[e] }

// APIKey returns the key sent to the backend, or "".
func (b *Backend) APIKey() string { return b.apiKey }

// Acquire takes a concurrency slot; it reports false when the backend is at
// MaxConcurrent. Every successful Acquire must be paired with Release.
func (b *Backend) Acquire() bool {
	n := b.inFlight.Add(1)
	if b.MaxConcurrent > 0 && n > int64(b.MaxConcurrent) {
		b.inFlight.Add(-1)
		return false
	}
	return true
}

// Release returns a concurrency slot.
func (b *Backend) Release() { b.inFlight.Add(-1) }

// InFlight returns the number of requests in flight to the backend.
func (b *Backend) InFlight() int64 { return b.inFlight.Load() }

// connBufferSize is the read and the write buffer of each backend
// connection.
const connBufferSize = 4 << 10

// NewTransport returns a connection pool tuned for an inference backend:
// many idle keep-alive connections (a gateway talks to few hosts a lot), a
// bounded dial, no transparent compression (bodies pass through untouched),
// no response-header timeout (the gateway's first-token timeout does that
// job per request), and small per-connection buffers: requests and answers
// are a few KiB, streams are read through the gateway's own reader, and a
// pool that grows to thousands of connections under load would otherwise
// hold 64 KiB each.
func NewTransport(connect time.Duration) *http.Transport {
	if connect <= 0 {
		connect = 2 * time.Second
	}
	return &http.Transport{
		Proxy:                 http.ProxyFromEnvironment,
		DialContext:           (&net.Dialer{Timeout: connect, KeepAlive: 30 * time.Second}).DialContext,
		ForceAttemptHTTP2:     true,
		MaxIdleConns:          1024,
		MaxIdleConnsPerHost:   512,
		IdleConnTimeout:       90 * time.Second,
		TLSHandshakeTimeout:   connect + 3*time.Second,
		ExpectContinueTimeout: time.Second,
		DisableCompression:    true,
		WriteBufferSize:       connBufferSize,
		ReadBufferSize:        connBufferSize,
	}
}
