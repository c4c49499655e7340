package gateway

import (
	"encoding/json"
	"io"
	"net/http"
	"testing"
)

// TestWrongMethodAndUnknownURL checks that a known path asked with the
// wrong method answers 405 with Allow, and an unknown one 404, both in
// OpenAI's error shape; admin paths only with the admin token.
func TestWrongMethodAndUnknownURL(t *testing.T) {
	t.Parallel()
	local, remote := newFakeBackend(t), newFakeBackend(t)
	h := newHarness(t, "server: {admin_token_env: ADMIN}\n"+twoTargets, map[string]string{"ADMIN": "root-token"}, local, remote)
	admin := "Bearer root-token"
	tests := []struct {
		method, path, auth string
		status             int
		allow, code        string
	}{
		{http.MethodGet, "/v1/chat/completions", "", 405, "POST", "method_not_allowed"},
		{http.MethodPut, "/v1/embeddings", "", 405, "POST", "method_not_allowed"},
		{http.MethodGet, "/v1/feedback", "", 405, "POST", "method_not_allowed"},
		{http.MethodPost, "/v1/models", "", 405, "GET, HEAD", "method_not_allowed"},
		{http.MethodDelete, "/v1/models/coder", "", 405, "GET, HEAD", "method_not_allowed"},
		{http.MethodGet, "/v1/nope", "", 404, "", "unknown_url"},
		{http.MethodGet, "/admin/v1/breakers/local/qwen2.5-coder-7b/open", admin, 405, "POST", "method_not_allowed"},
		{http.MethodGet, "/admin/v1/breakers/local/qwen2.5-coder-7b/reset", admin, 405, "POST", "method_not_allowed"},
		{http.MethodPost, "/admin/v1/breakers", admin, 405, "GET, HEAD", "method_not_allowed"},
		{http.MethodGet, "/admin/v1/nope", admin, 404, "", "unknown_url"},
		// Without the token an admin path tells nothing.
		{http.MethodGet, "/admin/v1/breakers/local/qwen2.5-coder-7b/open", "", 401, "", "invalid_admin_token"},
	}
	for _, tc := range tests {
		req, _ := http.NewRequest(tc.method, h.srv.URL+tc.path, nil)
		if tc.auth != "" {
			req.Header.Set("Authorization", tc.auth)
		}
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		body, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		var e struct {
			Error struct {
				Message, Type string
				Code          string
			}
		}
		if err := json.Unmarshal(body, &e); err != nil || e.Error.Message == "" {
			t.Errorf("%s %s: not the OpenAI error shape: %s", tc.method, tc.path, body)
			continue
		}
		if resp.StatusCode != tc.status || e.Error.Code != tc.code || resp.Header.Get("Allow") != tc.allow {
			t.Errorf("%s %s: %d Allow %q %s, want %d Allow %q code %s", tc.method, tc.path, resp.StatusCode,
				resp.Header.Get("Allow"), body, tc.status, tc.allow, tc.code)
		}
	}
}
