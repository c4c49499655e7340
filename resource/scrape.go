package resource

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strings"
	"time"
)

// maxMetricsBytes bounds the /metrics body read; vLLM's is about 100 KB.
const maxMetricsBytes = 8 << 20

// Backend is an inference backend whose /metrics the sampler reads.
type Backend struct {
	// Name identifies the backend (the `backend` label).
	Name string
	// Kind is llamacpp or vllm; backends of other kinds are not read.
	Kind string
	// URL is the base URL; a trailing "/v1" is accepted.
	URL string
	// APIKey, when set, is sent as a bearer token (llama.cpp started with
	// --api-key wants it on /metrics too).
	APIKey string
}

// metricsURL returns the backend's /metrics URL.
func (b Backend) metricsURL() string {
	u := strings.TrimSuffix(strings.TrimRight(b.URL, "/"), "/v1")
	return u + "/metrics"
}

// errMissing marks an error that turns a source off: the tool or the
// endpoint does not exist.
var errMissing = errors.New("no metrics endpoint")

// scrape reads b's metrics. An error wrapping errMissing means the
// backend has no metrics endpoint (or none Flywheel can read); any other
// error is worth trying again.
func scrape(ctx context.Context, client *http.Client, b Backend, at time.Time) (BackendStats, error) {
	stats := unknownStats(b, at)
	url := b.metricsURL()
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, url, nil)
	if err != nil {
		return stats, fmt.Errorf("%w: %v", errMissing, err)
	}
	req.Header.Set("Accept", "text/plain;version=0.0.4;q=1,*/*;q=0.1")
	if b.APIKey != "" {
		req.Header.Set("Authorization", "Bearer "+b.APIKey)
	}
	resp, err := client.Do(req)
	if err != nil {
		return stats, err
	}
	defer func() {
		_, _ = io.Copy(io.Discard, io.LimitReader(resp.Body, 64<<10))
		_ = resp.Body.Close()
	}()
	switch resp.StatusCode {
	case http.StatusOK:
	case http.StatusNotFound, http.StatusMethodNotAllowed, http.StatusNotImplemented:
		hint := ""
		if b.Kind == KindLlamaCPP {
			hint = " (start llama-server with --metrics)"
		}
		return stats, fmt.Errorf("%w: GET %s: %s%s", errMissing, url, resp.Status, hint)
	default:
		return stats, fmt.Errorf("GET %s: %s", url, resp.Status)
	}
	body := io.LimitReader(resp.Body, maxMetricsBytes+1)
	counted := &countingReader{r: body}
	stats, err = parseMetrics(b.Kind, counted, stats)
	switch {
	case counted.n > maxMetricsBytes:
		return unknownStats(b, at), fmt.Errorf("GET %s: more than %d bytes", url, maxMetricsBytes)
	case errors.Is(err, errNoKnownMetrics):
		return stats, fmt.Errorf("%w: GET %s: %v for a %s backend", errMissing, url, err, b.Kind)
	case err != nil:
		return stats, fmt.Errorf("GET %s: %w", url, err)
	}
	return stats, nil
}

// countingReader counts the bytes read through it.
type countingReader struct {
	r io.Reader
	n int64
}

func (c *countingReader) Read(p []byte) (int, error) {
	n, err := c.r.Read(p)
	c.n += int64(n)
	return n, err
}
