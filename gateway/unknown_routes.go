package gateway

import "net/http"

// registerErrors makes a client's wrong URL answer in OpenAI's error shape
// too: a known path with the wrong method gets 405 with Allow, any other
// path under /v1/ or (with the admin token) /admin/v1/ gets 404, where
// net/http would answer plain text.
func (g *Gateway) registerErrors(mux *http.ServeMux) {
	for path, allow := range map[string]string{
		"/v1/chat/completions":  http.MethodPost,
		"/v1/completions":       http.MethodPost,
		"/v1/embeddings":        http.MethodPost,
		"/v1/feedback":          http.MethodPost,
		"/v1/models":            http.MethodGet,
		"/v1/models/{model...}": http.MethodGet,
	} {
		mux.HandleFunc(path, methodNotAllowed(allow))
	}
	mux.HandleFunc("/v1/", unknownURL)
	mux.Handle("/admin/v1/", g.adminAuth(http.HandlerFunc(unknownURL)))
}

func unknownURL(w http.ResponseWriter, r *http.Request) {
	writeError(w, apiError{Status: http.StatusNotFound, Type: "invalid_request_error", Code: "unknown_url",
		Message: "Unknown request URL: " + r.Method + " " + r.URL.Path + "."})
}

func methodNotAllowed(allow string) http.HandlerFunc {
	allowed := allow
	if allow == http.MethodGet {
		allowed = "GET, HEAD"
	}
	return func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Allow", allowed)
		writeError(w, apiError{Status: http.StatusMethodNotAllowed, Type: "invalid_request_error", Code: "method_not_allowed",
			Message: "Method " + r.Method + " is not allowed on " + r.URL.Path + "; use " + allow + "."})
	}
}
