package gateway

import "net/http"

// isTargetFault reports whether a backend's 4xx status is the fault of the
// target rather than of the client's request: 401 and 403 mean the
// gateway's key for the backend is wrong, 404 that the backend does not
// serve the target's model (or path). The client asked for a route that
// exists, so such an answer fails the attempt (the next target, the
// breaker counts it) instead of reaching the client, who could do nothing
// about it and would take a 401 for a verdict on its own key.
func isTargetFault(status int) bool {
	return status == http.StatusUnauthorized || status == http.StatusForbidden || status == http.StatusNotFound
}

// isRedirect reports whether a backend answered with a redirect. The
// gateway does not follow it (a prompt is not resent to another address
// on the backend's word): the backend's configured URL is wrong, which is
// the target's fault like a 404.
func isRedirect(status int) bool { return status >= 300 && status < 400 }
