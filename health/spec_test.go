package health

import (
	"errors"
	"slices"
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
		{"http", Spec{Name: "qdrant", Kind: "http", URL: "http://127.0.0.1:6333/readyz"}, []string{"qdrant"}, ""},
		{"qdrant", Spec{Name: "vectors", Kind: "qdrant", URL: "http://127.0.0.1:6333", Collection: "docs"}, []string{"vectors"}, ""},
		{"tcp", Spec{Name: "nats", Kind: "tcp", Addr: "127.0.0.1:4222"}, []string{"nats"}, ""},
		{"backend", Spec{Name: "llama", Kind: "llamacpp", URL: "http://127.0.0.1:8080"}, []string{"llama"}, ""},
		{"backend with deep check", Spec{Name: "vllm", Kind: "vllm", URL: "http://x", Model: "m", Deep: true}, []string{"vllm", "vllm-generation"}, ""},
		{"deep ignored for a database", Spec{Name: "q", Kind: "qdrant", URL: "http://h:6333", Deep: true}, []string{"q"}, ""},
		{"unknown kind", Spec{Name: "x", Kind: "mongo"}, nil, `dependency "x": health: invalid check: kind "mongo" unknown (want http, llamacpp, ollama, openai, qdrant, tcp, vllm)`},
		{"postgres not imported", Spec{Name: "pg", Kind: "postgres", DSN: "postgres://u:s3cret@h/db"}, nil,
			`kind "postgres" is not registered: import github.com/flywheel-stack/flywheel/health/postgrescheck`},
		{"redis not imported", Spec{Name: "r", Kind: "redis", Addr: "127.0.0.1:6379"}, nil,
			`kind "redis" is not registered: import github.com/flywheel-stack/flywheel/health/redischeck`},
		{"http without url", Spec{Name: "h", Kind: "http"}, nil, "http needs a url"},
		{"tcp without addr", Spec{Name: "t", Kind: "tcp"}, nil, "tcp needs an addr"},
		{"qdrant without url", Spec{Name: "q", Kind: "qdrant"}, nil, "qdrant needs a url"},
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

// Every kind the registry lists builds a check from a Spec that gives what
// the kind needs, and the backend kinds are all in it.
func TestEveryKindBuilds(t *testing.T) {
	t.Parallel()
	kinds := Kinds()
	for _, b := range BackendKinds() {
		if !slices.Contains(kinds, b) {
			t.Errorf("backend kind %s is not a Spec kind", b)
		}
	}
	for _, k := range kinds {
		checks, err := ChecksFromSpec(Spec{Name: "x", Kind: k, URL: "http://127.0.0.1:1", Addr: "127.0.0.1:1"})
		if err != nil || len(checks) != 1 || checks[0].Func == nil {
			t.Errorf("kind %s: %d checks, %v", k, len(checks), err)
		}
	}
}

func TestRegisterKindPanics(t *testing.T) {
	t.Parallel()
	for name, f := range map[string]func(){
		"twice":      func() { RegisterKind("http", func(Spec) (CheckFunc, string, error) { return nil, "", nil }) },
		"no kind":    func() { RegisterKind("", func(Spec) (CheckFunc, string, error) { return nil, "", nil }) },
		"no builder": func() { RegisterKind("x-nil", nil) },
	} {
		func() {
			defer func() {
				if recover() == nil {
					t.Errorf("%s: RegisterKind did not panic", name)
				}
			}()
			f()
		}()
	}
}
