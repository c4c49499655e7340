package health

import (
	"context"
	"encoding/json"
	"net/http"
	"strings"
)

// LlamaCppCheck returns a check of a llama.cpp server's /health: 200 with
// {"status":"ok"} passes; 503 while the model loads fails with an output
// that starts with "starting" (the server is up but not ready yet); any other
// answer, or none, fails as "down".
func LlamaCppCheck(b Backend) CheckFunc {
	client := orHealthClient(b.Client)
	url := b.root() + "/health"
	scrub := b.scrub()
	return func(ctx context.Context) Result {
		code, body, err := fetch(ctx, client, http.MethodGet, url, b.header(), nil)
		if err != nil {
			return Failf("%s", scrub("down: "+err.Error()))
		}
		var h struct {
			Status string `json:"status"`
			Error  struct {
				Message string `json:"message"`
			} `json:"error"`
		}
		_ = json.Unmarshal(body, &h)
		msg := h.Error.Message
		if msg == "" {
			msg = h.Status
		}
		switch {
		case code == http.StatusOK && (h.Status == "ok" || h.Status == ""):
			return Result{Status: StatusPass}
		case code == http.StatusOK:
			return Warnf("llama.cpp reports %q", h.Status)
		case code == http.StatusServiceUnavailable && strings.Contains(strings.ToLower(msg), "loading"):
			return Failf("starting: llama.cpp is loading the model (%s)", msg)
		}
		return Failf("%s", scrub("down: GET "+url+": status "+http.StatusText(code)+snippet(body)))
	}
}
