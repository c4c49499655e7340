package gateway

import (
	"bytes"
	"context"
	"io"
	"net/http"
	"net/url"
)

// backendRequest builds the POST of payload to u, as
// http.NewRequestWithContext would, without parsing the URL again for
// every request: u is parsed once per target and shared (nothing writes to
// it). The header values are shared too: contentType and accept are the
// Content-Type and Accept values, auth the Authorization value or nil;
// their slices' capacity is their length, so nothing appends into them.
func backendRequest(ctx context.Context, u *url.URL, payload []byte, contentType, accept, auth []string) *http.Request {
	h := make(http.Header, 3)
	h["Content-Type"], h["Accept"] = contentType, accept
	if auth != nil {
		h["Authorization"] = auth
	}
	req := &http.Request{
		Method: http.MethodPost, URL: u, Header: h, // Host "": the URL's host
		Proto: "HTTP/1.1", ProtoMajor: 1, ProtoMinor: 1,
		Body:          io.NopCloser(bytes.NewReader(payload)),
		ContentLength: int64(len(payload)),
		// The transport may resend a request whose connection turned out
		// to be closed before anything was written.
		GetBody: func() (io.ReadCloser, error) { return io.NopCloser(bytes.NewReader(payload)), nil },
	}
	if len(payload) == 0 {
		req.Body, req.GetBody = http.NoBody, func() (io.ReadCloser, error) { return http.NoBody, nil }
	}
	return req.WithContext(ctx)
}

// send hands a request to the backend's connection pool directly rather
// than through http.Client.Do: an inference backend's redirect is not
// followed (the gateway would resend a prompt to wherever a Location
// points; it fails the attempt instead, see isRedirect), and the client's
// per-call bookkeeping is skipped. Cancellation and the attempt's timeouts
// work as before: they act through the request's context. Errors are
// wrapped in *url.Error as Client.Do wraps them.
func send(c *http.Client, req *http.Request) (*http.Response, error) {
	rt := c.Transport
	if rt == nil {
		rt = http.DefaultTransport
	}
	resp, err := rt.RoundTrip(req)
	if err != nil {
		return nil, &url.Error{Op: "Post", URL: req.URL.String(), Err: err}
	}
	return resp, nil
}
