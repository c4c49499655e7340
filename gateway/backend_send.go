package gateway

import (
	"net/http"
	"net/url"
)

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
