package config

import "testing"

func TestQdrantDependency(t *testing.T) {
	t.Parallel()
	cfg, err := Parse("f.yaml", []byte(`
dependencies:
  - {name: vectors, kind: qdrant, url: "http://127.0.0.1:6333", collection: docs, api_key_env: QDRANT_KEY}
  - {name: vectors-any, kind: qdrant, url: "https://qdrant.internal:6333"}
`))
	if err != nil {
		t.Fatal(err)
	}
	if d := cfg.Dependencies[0]; d.Kind != DepQdrant || d.URL != "http://127.0.0.1:6333" || d.Collection != "docs" || d.APIKeyEnv != "QDRANT_KEY" {
		t.Errorf("qdrant dependency %+v", d)
	}
	if d := cfg.Dependencies[1]; d.Collection != "" || d.APIKeyEnv != "" || len(d.ExpectedStatus) != 0 {
		t.Errorf("qdrant dependency without collection %+v", d)
	}
}

func TestQdrantDependencyErrors(t *testing.T) {
	t.Parallel()
	tests := []struct{ name, yaml, want string }{
		{"no url", "dependencies:\n  - {name: q, kind: qdrant}\n", "f.yaml:2: dependencies[0].url: required"},
		{"addr instead of url", "dependencies:\n  - {name: q, kind: qdrant, url: 'http://q:6333', addr: 'q:6333'}\n",
			"f.yaml:2: dependencies[0].addr: not used by kind qdrant"},
		{"bad collection", "dependencies:\n  - {name: q, kind: qdrant, url: 'http://q:6333', collection: 'a/b'}\n",
			`f.yaml:2: dependencies[0].collection: must be a Qdrant collection name: up to 255 characters, no '/', '\' or control characters, got "a/b"`},
		{"collection on http", "dependencies:\n  - {name: w, kind: http, url: 'http://w', collection: docs}\n",
			"f.yaml:2: dependencies[0].collection: not used by kind http"},
		{"api key env on redis", "dependencies:\n  - {name: r, kind: redis, addr: 'r:6379', api_key_env: KEY}\n",
			"f.yaml:2: dependencies[0].api_key_env: not used by kind redis"},
		{"the key itself in api_key_env", "dependencies:\n  - {name: q, kind: qdrant, url: 'http://q:6333', api_key_env: 'abc-123'}\n",
			"f.yaml:2: dependencies[0].api_key_env: must be the name of an environment variable (letters, digits and _, like MY_API_KEY), not the secret itself"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			_, err := Parse("f.yaml", []byte(tt.yaml))
			if err == nil || err.Error() != tt.want {
				t.Errorf("error:\n got: %v\nwant: %s", err, tt.want)
			}
		})
	}
}
