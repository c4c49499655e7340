package config

import (
	"testing"
	"time"
)

func TestDeepCheckFailAfterAndRedisAuth(t *testing.T) {
	t.Parallel()
	cfg, err := Parse("f.yaml", []byte(`
backends:
  - {name: a, kind: llamacpp, url: "http://127.0.0.1:8080", deep_check: {enabled: true, interval: 10m}}
  - {name: b, kind: vllm, url: "http://127.0.0.1:8000", deep_check: {enabled: true, interval: 1m, timeout: 5s}}
dependencies:
  - {name: db, kind: tcp, addr: "db:5432", fail_after: 1m}
  - {name: cache, kind: redis, addr: "127.0.0.1:6379", username: app, password_env: CACHE_PW}
`))
	if err != nil {
		t.Fatal(err)
	}
	if got, want := cfg.Backends[0].DeepCheck, (DeepCheck{Enabled: true, Interval: 10 * time.Minute, Timeout: 30 * time.Second}); got != want {
		t.Errorf("deep_check = %+v, want %+v", got, want)
	}
	if got, want := cfg.Backends[1].DeepCheck, (DeepCheck{Enabled: true, Interval: time.Minute, Timeout: 5 * time.Second}); got != want {
		t.Errorf("deep_check = %+v, want %+v", got, want)
	}
	if d := cfg.Dependencies[0]; d.FailAfter != time.Minute || d.FailureThreshold != 1 {
		t.Errorf("fail_after %s, failure_threshold %d; want 1m and the default 1", d.FailAfter, d.FailureThreshold)
	}
	if d := cfg.Dependencies[1]; d.Username != "app" || d.PasswordEnv != "CACHE_PW" {
		t.Errorf("redis username %q, password_env %q", d.Username, d.PasswordEnv)
	}
}
