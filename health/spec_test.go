package health

import (
	"errors"
	"strings"
	"testing"
	"time"
)

func TestChecksFromSpec(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name      string
		spec      Spec
		wantNames []string
		wantErr   string
	}{
		{"postgres", Spec{Name: "pg", Kind: "postgres", DSN: "postgres://u:p@h/db"}, []string{"pg"}, ""},
		{"redis", Spec{Name: "r", Kind: "redis", Addr: "127.0.0.1:6379"}, []string{"r"}, ""},
		{"http", Spec{Name: "qdrant", Kind: "http", URL: "http://127.0.0.1:6333/readyz"}, []string{"qdrant"}, ""},
		{"tcp", Spec{Name: "nats", Kind: "tcp", Addr: "127.0.0.1:4222"}, []string{"nats"}, ""},
		{"backend", Spec{Name: "llama", Kind: "llamacpp", URL: "http://127.0.0.1:8080"}, []string{"llama"}, ""},
		{"backend with deep check", Spec{Name: "vllm", Kind: "vllm", URL: "http://x", Model: "m", Deep: true}, []string{"vllm", "vllm-generation"}, ""},
		{"deep ignored for a database", Spec{Name: "pg", Kind: "postgres", DSN: "postgres://h/db", Deep: true}, []string{"pg"}, ""},
		{"unknown kind", Spec{Name: "x", Kind: "mongo"}, nil, `dependency "x": health: invalid check: kind "mongo" unknown`},
		{"postgres without dsn", Spec{Name: "pg", Kind: "postgres"}, nil, "postgres needs a dsn"},
		{"redis without addr", Spec{Name: "r", Kind: "redis"}, nil, "redis needs an addr"},
		{"bad redis url", Spec{Name: "r", Kind: "redis", Addr: "redis://u:s3cret@h:x/zz"}, nil, "redis url"},
		{"backend without url", Spec{Name: "o", Kind: "ollama"}, nil, "backend ollama needs a url"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			checks, err := ChecksFromSpec(tt.spec)
			if tt.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tt.wantErr) || !errors.Is(err, ErrInvalidCheck) {
					t.Fatalf("err = %v, want ErrInvalidCheck containing %q", err, tt.wantErr)
				}
				if strings.Contains(err.Error(), "s3cret") {
					t.Errorf("error leaks the password: %v", err)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			var names []string
			for _, c := range checks {
				names = append(names, c.Name)
			}
			if strings.Join(names, ",") != strings.Join(tt.wantNames, ",") {
				t.Errorf("checks %v, want %v", names, tt.wantNames)
			}
		})
	}
}

func TestSpecFieldsReachTheCheck(t *testing.T) {
	t.Parallel()
	checks, err := ChecksFromSpec(Spec{Name: "vllm", Kind: "vllm", URL: "http://x", Model: "m", Deep: true,
		Probes: Readiness | Startup, NonCritical: true, Weight: 0.5, Timeout: 2 * time.Second, Interval: 20 * time.Second,
		FailureThreshold: 3, FailAfter: time.Minute})
	if err != nil {
		t.Fatal(err)
	}
	c := checks[0]
	if c.Kind != Readiness|Startup || !c.NonCritical || c.Weight != 0.5 || c.Timeout != 2*time.Second ||
		c.Interval != 20*time.Second || c.FailureThreshold != 3 || c.FailAfter != time.Minute {
		t.Errorf("check %+v", c)
	}
	d := checks[1]
	if d.Interval != DefaultDeepInterval || d.Timeout != DefaultDeepTimeout || !d.NonCritical || d.Kind != Readiness {
		t.Errorf("deep check %+v", d)
	}
}
