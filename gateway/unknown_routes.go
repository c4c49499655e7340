package gateway

import "net/http"

// registerErrors makes a client's wrong URL answer in OpenAI's error shape
// too: a known path with the wrong method gets 405 with Allow, any other
// path under /v1/ or (with the admin token) /admin/v1/ gets 404, where
// net/http would answer plain text. Admin paths check the token first, so
// that they tell nothing to a client without it.
func (g *Gateway) registerErrors(mux *http.ServeMux) {
	for _, p := range []struct {
		path, allow string
		admin       bool
	}{
		{"/v1/chat/completions", http.MethodPost, false},
		{"/v1/completions", http.MethodPost, false},
		{"/v1/embeddings", http.MethodPost, false},
		{"/v1/feedback", http.MethodPost, false},
		{"/v1/models", http.MethodGet, false},
		{"/v1/models/{model...}", http.MethodGet, false},
		{"/admin/v1/breakers", http.MethodGet, true},
		{"/admin/v1/breakers/{key...}", http.MethodPost, true},
	} {
		var h http.Handler = methodNotAllowed(p.allow)
		if p.admin {
			h = g.adminAuth(h)
		}
		mux.Handle(p.path, h)
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
