package resilience

import (
	"bytes"
	"context"
	"errors"
	"io"
	"net/http"
	"sync"
	"time"
)

// TransportConfig configures a Transport.
type TransportConfig struct {
	// Base sends the requests. nil means http.DefaultTransport.
	Base http.RoundTripper
	// Breakers gives the breaker for a request's key. nil: no breaker.
	Breakers *Registry
	// Key maps a request to its breaker key. nil uses the URL's host.
	Key func(*http.Request) string
	// Retry retries failed attempts. nil: one attempt.
	Retry *Retrier
	// HeaderTimeout bounds each attempt until the response headers arrive;
	// it never applies to reading the body. 0: no bound.
	HeaderTimeout time.Duration
	// IsFailure classifies a response status. nil uses IsFailureStatus.
	IsFailure func(status int) bool
	// RetryNonIdempotent allows retrying POST and PATCH requests that carry
	// no Idempotency-Key header. Off by default: a retry could create a
	// resource twice.
	RetryNonIdempotent bool
}

// Transport is an http.RoundTripper that sends each request through a
// breaker per host (or per Key) and a retrier. It re-sends bodies on retry
// through Request.GetBody, drains and closes the bodies of responses it
// throws away, and never cancels a body the caller is still reading, so
// token streams flow untouched. When the last attempt fails with a status,
// that response is returned to the caller as it came.
type Transport struct {
	cfg TransportConfig
}

// NewTransport returns a transport over cfg.
func NewTransport(cfg TransportConfig) *Transport {
	if cfg.Base == nil {
		cfg.Base = http.DefaultTransport
	}
	if cfg.Key == nil {
		cfg.Key = func(r *http.Request) string { return r.URL.Host }
	}
	if cfg.IsFailure == nil {
		cfg.IsFailure = IsFailureStatus
	}
	return &Transport{cfg: cfg}
}

// IsFailureStatus reports whether a status says the dependency failed: 429
// and every 5xx except 501 Not Implemented.
func IsFailureStatus(status int) bool {
	return status == http.StatusTooManyRequests || (status >= 500 && status != http.StatusNotImplemented && status < 600)
}

// drainLimit bounds how much of a discarded body is read so the connection
// can be reused.
const drainLimit = 64 << 10

func drain(resp *http.Response) {
	_, _ = io.CopyN(io.Discard, resp.Body, drainLimit)
	_ = resp.Body.Close()
}

// buffered reads up to drainLimit of a failed response's body into memory
// and closes the original, so the connection goes back to the pool before
// the next attempt while the caller can still get the response whole.
func buffered(resp *http.Response) *http.Response {
	data, _ := io.ReadAll(io.LimitReader(resp.Body, drainLimit))
	_ = resp.Body.Close()
	resp.Body = io.NopCloser(bytes.NewReader(data))
	resp.ContentLength = int64(len(data))
	return resp
}

// RoundTrip sends req through the breaker and retrier of its key.
func (t *Transport) RoundTrip(req *http.Request) (*http.Response, error) {
	var b *Breaker
	if t.cfg.Breakers != nil {
		b = t.cfg.Breakers.Get(t.cfg.Key(req))
	}
	retry := t.cfg.Retry
	if !t.replayable(req) {
		retry = nil
	}
	var (
		kept     *http.Response // the last failed response, buffered, handed back if nothing better comes
		attempts int
	)
	resp, _, err := run(req.Context(), retry, b, 0, func(ctx context.Context) (*http.Response, error) {
		attempts++
		r, err := t.prepare(req, ctx, attempts)
		if err != nil {
			return nil, Permanent(err)
		}
		resp, err := t.send(r)
		if err != nil {
			return nil, err
		}
		if t.cfg.IsFailure(resp.StatusCode) {
			until, _ := ParseRetryAfter(resp.Header, t.now())
			kept = buffered(resp)
			return nil, &StatusError{Code: resp.StatusCode, Status: resp.Status, Until: until}
		}
		return resp, nil
	}, false)
	if err == nil {
		return resp, nil
	}
	// The last response that came is worth more to the caller than a
	// rejection that followed it.
	var se *StatusError
	if kept != nil && (errors.As(err, &se) || IsRejected(err)) && req.Context().Err() == nil {
		return kept, nil
	}
	return nil, err
}

func (t *Transport) now() time.Time {
	if t.cfg.Retry != nil {
		return t.cfg.Retry.cfg.Clock.Now()
	}
	return time.Now()
}

// prepare returns the request for attempt n: the original first, then a
// clone with a fresh body.
func (t *Transport) prepare(req *http.Request, ctx context.Context, n int) (*http.Request, error) {
	if n == 1 {
		return req, nil
	}
	r := req.Clone(ctx)
	if req.Body != nil && req.Body != http.NoBody {
		body, err := req.GetBody()
		if err != nil {
			return nil, err
		}
		r.Body = body
	}
	return r, nil
}

// send performs one attempt, bounding the wait for headers by HeaderTimeout
// without tying the body to that deadline.
func (t *Transport) send(req *http.Request) (*http.Response, error) {
	if t.cfg.HeaderTimeout <= 0 {
		return t.cfg.Base.RoundTrip(req)
	}
	ctx, cancel := context.WithCancelCause(req.Context())
	timer := time.AfterFunc(t.cfg.HeaderTimeout, func() { cancel(ErrAttemptTimeout) })
	resp, err := t.cfg.Base.RoundTrip(req.WithContext(ctx))
	if !timer.Stop() || err != nil {
		cancel(nil)
		if err == nil {
			drain(resp)
		}
		if context.Cause(ctx) == ErrAttemptTimeout {
			return nil, ErrAttemptTimeout
		}
		return nil, err
	}
	resp.Body = &cancelOnClose{ReadCloser: resp.Body, cancel: func() { cancel(nil) }}
	return resp, nil
}

// replayable reports whether req may be sent more than once.
func (t *Transport) replayable(req *http.Request) bool {
	if req.Body != nil && req.Body != http.NoBody && req.GetBody == nil {
		return false
	}
	switch req.Method {
	case http.MethodPost, http.MethodPatch:
		return t.cfg.RetryNonIdempotent || req.Header.Get("Idempotency-Key") != "" || req.Header.Get("X-Idempotency-Key") != ""
	}
	return true
}

// cancelOnClose releases an attempt's context when the caller closes the
// body, and not before.
type cancelOnClose struct {
	io.ReadCloser
	cancel func()
	once   sync.Once
}

func (c *cancelOnClose) Close() error {
	err := c.ReadCloser.Close()
	c.once.Do(c.cancel)
	return err
}
