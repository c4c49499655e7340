package loadgen

import (
	"bufio"
	"bytes"
	"context"
	"errors"
	"io"
	"net"
	"net/http"
	"strings"
	"time"

	"github.com/flywheel-stack/flywheel/clock"
)

// DefaultTimeout bounds one request when ClientOptions.Timeout is 0.
const DefaultTimeout = 30 * time.Second

// ClientOptions tunes a Client.
type ClientOptions struct {
	// Timeout bounds each request from send to the end of the answer;
	// 0 means DefaultTimeout.
	Timeout time.Duration
	// MaxConns bounds the connections kept open to the target; 0 means
	// 8192. An open loop needs about rate × latency of them.
	MaxConns int
	// Clock stamps send, first-chunk and end instants. nil: the real clock.
	Clock clock.Clock
}

// Client sends chat completions to one Target over its own connection
// pool. It is safe for concurrent use.
type Client struct {
	target     Target
	url        string
	plain      []byte
	streamed   []byte
	auth       string // the Authorization header, "" without an API key
	httpClient *http.Client
	transport  *http.Transport
	timeout    time.Duration
	clk        clock.Clock
}

// Result is what one request saw. The instants come from the client's
// clock; Latency and the like are computed by the recorders from them.
type Result struct {
	// Sent is when the request was handed to the transport.
	Sent time.Time
	// FirstChunk is when the first SSE data event arrived (streams), or
	// when the response headers did (plain answers).
	FirstChunk time.Time
	// Done is when the answer was read to its end or failed.
	Done time.Time
	// Status is the HTTP status, 0 when none arrived.
	Status int
	// Class is the error class, "" for a complete answer.
	Class string
	// Chunks is the number of data events before [DONE] (streams).
	Chunks int
}

// NewClient returns a client for t.
func NewClient(t Target, opts ClientOptions) (*Client, error) {
	u, err := t.endpoint()
	if err != nil {
		return nil, err
	}
	plain, err := t.body(false)
	if err != nil {
		return nil, err
	}
	streamed, err := t.body(true)
	if err != nil {
		return nil, err
	}
	if opts.Timeout <= 0 {
		opts.Timeout = DefaultTimeout
	}
	if opts.MaxConns <= 0 {
		opts.MaxConns = 8192
	}
	tr := &http.Transport{
		DialContext:         (&net.Dialer{Timeout: 5 * time.Second, KeepAlive: 30 * time.Second}).DialContext,
		MaxIdleConns:        opts.MaxConns,
		MaxIdleConnsPerHost: opts.MaxConns,
		MaxConnsPerHost:     opts.MaxConns,
		IdleConnTimeout:     90 * time.Second,
		DisableCompression:  true,
	}
	var auth string
	if t.APIKey != "" {
		auth = "Bearer " + t.APIKey
	}
	return &Client{
		target: t, url: u, plain: plain, streamed: streamed, auth: auth,
		httpClient: &http.Client{Transport: tr}, transport: tr,
		timeout: opts.Timeout, clk: clock.OrReal(opts.Clock),
	}, nil
}

// Target returns the target the client sends to.
func (c *Client) Target() Target { return c.target }

// Close closes the client's idle connections.
func (c *Client) Close() { c.transport.CloseIdleConnections() }

// Do sends one chat completion, streamed or not, and reads the answer to its
// end. ctx is the run's context: when it ends, the request is cancelled and
// classed ClassCancelled.
func (c *Client) Do(ctx context.Context, stream bool) Result {
	rctx, cancel := context.WithTimeout(ctx, c.timeout)
	defer cancel()
	body := c.plain
	if stream {
		body = c.streamed
	}
	var res Result
	req, err := http.NewRequestWithContext(rctx, http.MethodPost, c.url, bytes.NewReader(body))
	if err != nil {
		res.Class = ClassIO
		return res
	}
	req.Header.Set("Content-Type", "application/json")
	if stream {
		req.Header.Set("Accept", "text/event-stream")
	}
	if c.auth != "" {
		req.Header.Set("Authorization", c.auth)
	}
	res.Sent = c.clk.Now()
	resp, err := c.httpClient.Do(req)
	if err != nil {
		res.Done = c.clk.Now()
		res.Class = classify(ctx, err)
		return res
	}
	defer resp.Body.Close()
	res.Status = resp.StatusCode
	res.FirstChunk = c.clk.Now()
	if resp.StatusCode != http.StatusOK {
		_, _ = io.Copy(io.Discard, io.LimitReader(resp.Body, 1<<20))
		res.Done = c.clk.Now()
		res.Class = statusClass(resp.StatusCode)
		return res
	}
	if !stream {
		n, err := io.Copy(io.Discard, resp.Body)
		res.Done = c.clk.Now()
		switch {
		case err != nil:
			res.Class = classify(ctx, err)
		case n == 0:
			res.Class = ClassBadAnswer
		}
		return res
	}
	if !strings.HasPrefix(resp.Header.Get("Content-Type"), "text/event-stream") {
		_, _ = io.Copy(io.Discard, resp.Body)
		res.Done = c.clk.Now()
		res.Class = ClassBadAnswer
		return res
	}
	res.FirstChunk = time.Time{}
	res.Class, res.Chunks = c.readStream(ctx, resp.Body, &res.FirstChunk)
	res.Done = c.clk.Now()
	return res
}

// readStream reads SSE events up to [DONE], stamping the first data event.
func (c *Client) readStream(ctx context.Context, body io.Reader, first *time.Time) (class string, chunks int) {
	br := bufio.NewReaderSize(body, 4<<10)
	for {
		line, err := br.ReadSlice('\n')
		if data, ok := bytes.CutPrefix(line, []byte("data:")); ok {
			data = bytes.TrimSpace(data)
			if first.IsZero() {
				*first = c.clk.Now()
			}
			switch {
			case bytes.Equal(data, []byte("[DONE]")):
				// Read on to the body's end, so that the connection goes
				// back to the pool instead of being closed.
				_, _ = io.Copy(io.Discard, br)
				return "", chunks
			case bytes.HasPrefix(data, []byte(`{"error"`)):
				return ClassStreamError, chunks
			}
			chunks++
		}
		// A long line: only its start matters, and it was read above
		// (reading on reuses the buffer line points into); skip the rest.
		for errors.Is(err, bufio.ErrBufferFull) {
			_, err = br.ReadSlice('\n')
		}
		if err != nil {
			if errors.Is(err, io.EOF) || errors.Is(err, io.ErrUnexpectedEOF) {
				return ClassStreamCut, chunks
			}
			return classify(ctx, err), chunks
		}
	}
}
