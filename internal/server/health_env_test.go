package server

import (
	"io"
	"log/slog"
	"strings"
	"testing"

	"github.com/flywheel-stack/flywheel/config"
)

// TestDependencySecretsFromTheEnvironment checks that a dsn_env or
// password_env naming an unset variable stops New with the key path.
func TestDependencySecretsFromTheEnvironment(t *testing.T) {
	tests := []struct{ yaml, want string }{
		{"dependencies:\n  - {name: db, kind: tcp, addr: 'h:1'}\n  - {name: pg, kind: postgres, dsn_env: PG_DSN}\n",
			"dependencies[1].dsn_env: the environment variable PG_DSN, holding the DSN of pg, is not set"},
		{"dependencies:\n  - {name: cache, kind: redis, addr: 'h:1', password_env: CACHE_PW}\n",
			"dependencies[0].password_env: the environment variable CACHE_PW, holding the password of cache, is not set"},
		{"dependencies:\n  - {name: other, kind: sql, dsn: 'sqlserver://h'}\n",
			"dependencies[0].dsn: kind sql: the flywheel binary checks PostgreSQL DSNs only"},
	}
	for _, tt := range tests {
		cfg, err := config.Parse("flywheel.yaml", []byte(tt.yaml))
		if err != nil {
			t.Fatal(err)
		}
		_, err = New(cfg, Options{Logger: slog.New(slog.NewTextHandler(io.Discard, nil)), Getenv: func(string) string { return "" }})
		if err == nil || !strings.Contains(err.Error(), tt.want) {
			t.Errorf("New = %v, want an error containing %q", err, tt.want)
		}
	}
}
