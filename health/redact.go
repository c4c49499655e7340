package health

import (
	"regexp"
	"strings"
)

// redacted replaces every credential Redact finds.
const redacted = "xxxxx"

// redactRules are applied in order; each keeps its first group(s) and
// replaces the secret.
var redactRules = []struct {
	re   *regexp.Regexp
	repl string
}{
	// The password of a URL: scheme://user:PASSWORD@host.
	{regexp.MustCompile(`(?i)\b([a-z][a-z0-9+.\-]*://[^\s:/@]*:)[^\s@/]+@`), "${1}" + redacted + "@"},
	// An Authorization header value: "Authorization: Bearer xyz".
	{regexp.MustCompile(`(?i)\b(authorization"?\s*[:=]\s*"?)(?:[a-z]+\s+)?[^\s",]+`), "${1}" + redacted},
	// A bearer token anywhere.
	{regexp.MustCompile(`(?i)\b(bearer\s+)[a-z0-9._~+/=\-]+`), "${1}" + redacted},
	// key=value and key: value pairs (DSNs, query strings, JSON, headers).
	{regexp.MustCompile(`(?i)\b((?:password|passwd|pwd|sslpassword|secret|client_secret|token|access_token|refresh_token|auth_token|api[_-]?key|x-api-key)"?\s*[=:]\s*)('[^']*'|"[^"]*"|[^\s&;,'"]+)`), "${1}" + redacted},
	// OpenAI-style secret keys.
	{regexp.MustCompile(`\bsk-[A-Za-z0-9_\-]{8,}`), "sk-" + redacted},
}

// Redact returns s with the credentials it recognises replaced by "xxxxx":
// the password in a URL (postgres://user:xxxxx@host), password=, token=,
// api_key= and similar key/value pairs, Authorization headers, bearer tokens
// and sk- keys. Every output and error text the package stores goes through
// it.
func Redact(s string) string {
	if s == "" {
		return s
	}
	for _, r := range redactRules {
		s = r.re.ReplaceAllString(s, r.repl)
	}
	return s
}

// RedactWith returns a function that removes the given known secrets (the
// password or key a check was built with) from a text and then applies
// Redact: what a check built outside this package (health/postgrescheck,
// health/redischeck) passes its output through.
func RedactWith(secrets ...string) func(string) string { return scrubber(secrets...) }

// scrubber returns a function that removes the given known secrets (a
// password or key the check was built with) and then applies Redact. Secrets
// shorter than four characters are left to Redact's patterns, since replacing
// them literally would mangle ordinary text.
func scrubber(secrets ...string) func(string) string {
	var keep []string
	for _, s := range secrets {
		if len(s) >= 4 {
			keep = append(keep, s)
		}
	}
	return func(s string) string {
		for _, k := range keep {
			s = strings.ReplaceAll(s, k, redacted)
		}
		return Redact(s)
	}
}
