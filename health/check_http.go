package health

import (
	"context"
	"fmt"
	"io"
	"net"
	"net/http"
	"strings"
)

// maxBody bounds how much of an answer a check reads.
const maxBody = 1 << 20

// HTTPOptions configures HTTPCheck. The zero value accepts any 2xx or 3xx
// answer.
type HTTPOptions struct {
	// Client sends the request; nil means a private client without
	// keep-alives, so that no idle connection outlives a run.
	Client *http.Client
	// Header is added to the request.
	Header http.Header
	// StatusMin and StatusMax bound the accepted status codes; zero means
	// 200 and 399.
	StatusMin, StatusMax int
	// Accept, when set, decides which status codes pass instead of
	// StatusMin and StatusMax; Expected describes them in failure output
	// (e.g. "200,204").
	Accept   func(status int) bool
	Expected string
}

// HTTPCheck returns a check that GETs url and passes when the status code
// is within the expected range.
func HTTPCheck(url string, opts HTTPOptions) CheckFunc {
	lo, hi := opts.StatusMin, opts.StatusMax
	if lo == 0 {
		lo = 200
	}
	if hi == 0 {
		hi = 399
	}
	accept, expected := opts.Accept, opts.Expected
	if accept == nil {
		accept = func(code int) bool { return code >= lo && code <= hi }
		expected = fmt.Sprintf("%d-%d", lo, hi)
	}
	client := orHealthClient(opts.Client)
	return func(ctx context.Context) Result {
		code, body, err := fetch(ctx, client, http.MethodGet, url, opts.Header, nil)
		if err != nil {
			return Failf("down: %v", err)
		}
		if !accept(code) {
			return Failf("GET %s: status %d, want %s%s", url, code, expected, snippet(body))
		}
		return Result{Status: StatusPass}
	}
}

// TCPCheck returns a check that passes when a TCP connection to addr
// (host:port) opens.
func TCPCheck(addr string) CheckFunc {
	return func(ctx context.Context) Result {
		var d net.Dialer
		conn, err := d.DialContext(ctx, "tcp", addr)
		if err != nil {
			return Failf("down: %v", err)
		}
		_ = conn.Close()
		return Result{Status: StatusPass}
	}
}

// orHealthClient returns c, or a new client without keep-alives.
func orHealthClient(c *http.Client) *http.Client {
	if c != nil {
		return c
	}
	return &http.Client{Transport: &http.Transport{
		Proxy:             http.ProxyFromEnvironment,
		DisableKeepAlives: true,
	}}
}

// fetch sends one request and returns the status code and up to maxBody
// bytes of the answer.
func fetch(ctx context.Context, client *http.Client, method, url string, header http.Header, body io.Reader) (int, []byte, error) {
	req, err := http.NewRequestWithContext(ctx, method, url, body)
	if err != nil {
		return 0, nil, err
	}
	for k, vs := range header {
		for _, v := range vs {
			req.Header.Add(k, v)
		}
	}
	resp, err := client.Do(req)
	if err != nil {
		return 0, nil, err
	}
	defer resp.Body.Close()
	data, err := io.ReadAll(io.LimitReader(resp.Body, maxBody))
	if err != nil {
		return resp.StatusCode, data, fmt.Errorf("%s %s: reading the answer: %w", method, url, err)
	}
	return resp.StatusCode, data, nil
}

// snippet returns ": " and the start of body on one line, or "" when body is
// empty.
func snippet(body []byte) string {
	s := strings.Join(strings.Fields(string(body)), " ")
	if s == "" {
		return ""
	}
	if len(s) > 200 {
		s = s[:200] + "..."
	}
	return ": " + s
}
