package health

import (
	"bytes"
	"log/slog"
	"net/http"
	"strings"
	"testing"
)

func TestRedact(t *testing.T) {
	t.Parallel()
	tests := []struct{ in, want string }{
		{"", ""},
		{"postgres://app:s3cret@db:5432/x?sslmode=disable", "postgres://app:xxxxx@db:5432/x?sslmode=disable"},
		{`failed to connect to postgres://u:p%40ss@h/db: refused`, `failed to connect to postgres://u:xxxxx@h/db: refused`},
		{"redis://:hunter22@127.0.0.1:6379/0", "redis://:xxxxx@127.0.0.1:6379/0"},
		{"host=db user=app password=s3cret dbname=x", "host=db user=app password=xxxxx dbname=x"},
		{"host=db password='with space' dbname=x", "host=db password=xxxxx dbname=x"},
		{"PASSWORD=abc", "PASSWORD=xxxxx"},
		{"Authorization: Bearer abc.def-ghi", "Authorization: xxxxx"},
		{"sent Bearer xyz123 upstream", "sent Bearer xxxxx upstream"},
		{"GET https://api.example.com/v1/models?api_key=abc123&x=1", "GET https://api.example.com/v1/models?api_key=xxxxx&x=1"},
		{`{"token":"abc","user":"u"}`, `{"token":xxxxx,"user":"u"}`},
		{"key sk-abcdefghijklmnop rejected", "key sk-xxxxx rejected"},
		{`password authentication failed for user "app"`, `password authentication failed for user "app"`},
		{"dial tcp 127.0.0.1:6379: connect: connection refused", "dial tcp 127.0.0.1:6379: connect: connection refused"},
		{`Get "http://127.0.0.1:8080/health": EOF`, `Get "http://127.0.0.1:8080/health": EOF`},
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			t.Parallel()
			if got := Redact(tt.in); got != tt.want {
				t.Errorf("Redact(%q) = %q, want %q", tt.in, got, tt.want)
			}
		})
	}
}

func TestScrubberRemovesKnownSecrets(t *testing.T) {
	t.Parallel()
	s := scrubber("hunter22", "ab")
	if got := s("auth hunter22 failed; ab stays"); got != "auth xxxxx failed; ab stays" {
		t.Errorf("got %q", got)
	}
}

// TestRedactedEverywhere checks that a credential in a check's output
// reaches no probe body, report, result or log line.
func TestRedactedEverywhere(t *testing.T) {
	t.Parallel()
	var logs bytes.Buffer
	leaky := Failf("connect postgres://app:s3cret@db/x failed; header Bearer tok-123; host=db password=pw-456")
	c, _ := newChecker(t, Options{Listener: SlogListener(slog.New(slog.NewTextHandler(&logs, nil)))},
		Check{Name: "db", Func: newScript(pass).run})
	set(t, c, "db", leaky)
	_, verbose := get(t, c.Handler(), "/readyz?verbose")
	_, one := get(t, c.Handler(), "/readyz/db")
	_, report := get(t, c.Handler(), "/healthz")
	r, _ := c.Result("db")
	for what, text := range map[string]string{"verbose": verbose, "single": one, "healthz": report, "result": r.Output, "log": logs.String()} {
		for _, secret := range []string{"s3cret", "tok-123", "pw-456"} {
			if strings.Contains(text, secret) {
				t.Errorf("%s leaks %q: %s", what, secret, text)
			}
		}
		if !strings.Contains(text, "xxxxx") {
			t.Errorf("%s shows no redaction: %s", what, text)
		}
	}
	if code, _ := get(t, c.Handler(), "/readyz/db"); code != http.StatusServiceUnavailable {
		t.Errorf("code %d", code)
	}
}
