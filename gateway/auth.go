package gateway

import (
	"crypto/sha256"
	"crypto/subtle"
	"net/http"
	"strings"
)

// keySet holds secrets as SHA-256 digests and compares in constant time, so
// neither a key's content nor its length leaks through timing.
type keySet struct{ digests [][sha256.Size]byte }

func newKeySet(keys []string) keySet {
	var s keySet
	for _, k := range keys {
		if k = strings.TrimSpace(k); k != "" {
			s.digests = append(s.digests, sha256.Sum256([]byte(k)))
		}
	}
	return s
}

// empty reports whether no key is configured.
func (s keySet) empty() bool { return len(s.digests) == 0 }

// match reports whether key is in the set, checking every entry.
func (s keySet) match(key string) bool {
	d := sha256.Sum256([]byte(key))
	found := 0
	for i := range s.digests {
		found |= subtle.ConstantTimeCompare(d[:], s.digests[i][:])
	}
	return found == 1
}

// bearer returns the token of an "Authorization: Bearer TOKEN" header.
func bearer(r *http.Request) string {
	h := r.Header.Get("Authorization")
	if len(h) > 7 && strings.EqualFold(h[:7], "bearer ") {
		return strings.TrimSpace(h[7:])
	}
	return ""
}

// splitKeys splits a comma-separated list of keys.
func splitKeys(v string) []string {
	var out []string
	for _, k := range strings.Split(v, ",") {
		if k = strings.TrimSpace(k); k != "" {
			out = append(out, k)
		}
	}
	return out
}

var (
	errMissingKey = apiError{Status: http.StatusUnauthorized, Type: "invalid_request_error", Code: "invalid_api_key",
		Message: "You didn't provide an API key. Send it as 'Authorization: Bearer KEY'."}
	errWrongKey = apiError{Status: http.StatusUnauthorized, Type: "invalid_request_error", Code: "invalid_api_key",
		Message: "Incorrect API key provided."}
	errAdminToken = apiError{Status: http.StatusUnauthorized, Type: "invalid_request_error", Code: "invalid_admin_token",
		Message: "The admin API needs the admin token as 'Authorization: Bearer TOKEN'."}
	errAdminDisabled = apiError{Status: http.StatusForbidden, Type: "invalid_request_error", Code: "admin_disabled",
		Message: "The admin API is disabled: set the environment variable named by server.admin_token_env."}
)

// clientAuth checks the client's API key when keys are configured.
func (g *Gateway) clientAuth(w http.ResponseWriter, r *http.Request) bool {
	if g.apiKeys.empty() {
		return true
	}
	tok := bearer(r)
	if tok == "" {
		writeError(w, errMissingKey)
		return false
	}
	if !g.apiKeys.match(tok) {
		writeError(w, errWrongKey)
		return false
	}
	return true
}

// adminAuth guards /admin/v1: without a configured token the admin API is
// off.
func (g *Gateway) adminAuth(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if g.adminToken.empty() {
			writeError(w, errAdminDisabled)
			return
		}
		if !g.adminToken.match(bearer(r)) {
			writeError(w, errAdminToken)
			return
		}
		next.ServeHTTP(w, r)
	})
}
