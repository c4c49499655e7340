// Command coordinator is a coordinator client that routes a chat request to
// the local model first and to a remote API when the local one fails. Both
// go through a resilience.Transport: a breaker per host and a retry policy
// per backend. The remote answers 429 with Retry-After once, which holds its
// breaker open, and the caller gets the degraded answer meanwhile.
package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"strings"
	"sync/atomic"
	"time"

	"github.com/flywheel-stack/flywheel/resilience"
)

func main() {
	if err := run(os.Stdout); err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
}

// model simulates an OpenAI-compatible server. status, when not 200, is
// answered instead; retryAfter adds a Retry-After header.
type model struct {
	name       string
	status     atomic.Int32
	retryAfter atomic.Value // string
	requests   atomic.Int32
}

func newModel(name string) *model {
	m := &model{name: name}
	m.status.Store(http.StatusOK)
	m.retryAfter.Store("")
	return m
}

func (m *model) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	m.requests.Add(1)
	_, _ = io.Copy(io.Discard, r.Body)
	if st := int(m.status.Load()); st != http.StatusOK {
		if ra := m.retryAfter.Load().(string); ra != "" {
			w.Header().Set("Retry-After", ra)
		}
		http.Error(w, `{"error":{"message":"unavailable"}}`, st)
		return
	}
	fmt.Fprintf(w, `{"choices":[{"message":{"role":"assistant","content":"hello from %s"}}]}`, m.name)
}

// backend is one target: a URL and an HTTP client with its own retry policy.
type backend struct {
	name   string
	url    string
	client *http.Client
}

func (b backend) chat(ctx context.Context, body string) (string, error) {
	req, _ := http.NewRequestWithContext(ctx, http.MethodPost, b.url+"/v1/chat/completions", strings.NewReader(body))
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Idempotency-Key", "chat-42") // a chat completion is safe to resend
	resp, err := b.client.Do(req)
	if err != nil {
		return "", err
	}
	defer resp.Body.Close()
	data, _ := io.ReadAll(resp.Body)
	if resp.StatusCode != http.StatusOK {
		return "", fmt.Errorf("%s answered %s", b.name, resp.Status)
	}
	return string(data), nil
}

func run(out io.Writer) error {
	local, remote := newModel("llama.cpp"), newModel("remote")
	localSrv, remoteSrv := httptest.NewServer(local), httptest.NewServer(remote)
	defer localSrv.Close()
	defer remoteSrv.Close()

	breakers := resilience.NewRegistry(resilience.RegistryConfig{
		Default: resilience.BreakerConfig{ConsecutiveFailures: 3, OpenFor: time.Minute},
		OnStateChange: func(t resilience.Transition) {
			fmt.Fprintf(out, "  breaker %s: %s -> %s (%s)\n", hostName(t.Breaker, localSrv.URL), t.From, t.To, t.Reason)
		},
	})
	localRetry := resilience.LLMInference()
	localRetry.BaseDelay, localRetry.MaxDelay = time.Millisecond, 5*time.Millisecond
	remoteRetry := resilience.ExternalAPI()
	remoteRetry.BaseDelay, remoteRetry.MaxDelay = time.Millisecond, 20*time.Millisecond
	mk := func(name, url string, cfg resilience.RetryConfig) backend {
		return backend{name: name, url: url, client: &http.Client{Transport: resilience.NewTransport(resilience.TransportConfig{
			Breakers: breakers, Retry: resilience.NewRetrier(cfg), HeaderTimeout: 5 * time.Second})}}
	}
	chain := []backend{mk("llama.cpp", localSrv.URL, localRetry), mk("remote", remoteSrv.URL, remoteRetry)}
	const degraded = "The assistant is degraded; retry shortly."

	ask := func(label string) {
		body := `{"model":"coder","messages":[{"role":"user","content":"hi"}]}`
		for _, b := range chain {
			answer, err := b.chat(context.Background(), body)
			if err == nil {
				fmt.Fprintf(out, "%-34s -> %s answered: %s\n", label, b.name, answer)
				return
			}
			reason := err.Error()
			if errors.Is(err, resilience.ErrOpen) {
				reason = "breaker open, not called"
			}
			fmt.Fprintf(out, "%-34s    %s failed: %s\n", label, b.name, reason)
		}
		fmt.Fprintf(out, "%-34s -> degraded: %s\n", label, degraded)
	}

	ask("both up")
	local.status.Store(http.StatusServiceUnavailable)
	for i := 1; i <= 3; i++ {
		ask(fmt.Sprintf("local loading a model, request %d", i))
	}
	remote.status.Store(http.StatusTooManyRequests)
	remote.retryAfter.Store("30")
	ask("remote rate-limited (Retry-After 30)")
	ask("remote still held open")
	fmt.Fprintf(out, "requests that reached llama.cpp: %d, the remote: %d\n", local.requests.Load(), remote.requests.Load())
	for _, s := range breakers.Snapshot() {
		fmt.Fprintf(out, "breaker %s: %s\n", hostName(s.Name, localSrv.URL), s.State)
	}
	return nil
}

// hostName names a breaker key (a host:port) after the backend it guards.
func hostName(key, localURL string) string {
	if strings.HasSuffix(localURL, key) {
		return "llama.cpp"
	}
	return "remote"
}
