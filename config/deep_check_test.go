package config

import (
	"testing"
	"time"
)

func TestDeepCheckAndFailAfter(t *testing.T) {
	t.Parallel()
	cfg, err := Parse("f.yaml", []byte(`
backends:
  - {name: a, kind: llamacpp, url: "http://127.0.0.1:8080", deep_check: {enabled: true, interval: 10m}}
  - {name: b, kind: vllm, url: "http://127.0.0.1:8000", deep_check: {enabled: true, interval: 1m, timeout: 5s}}
dependencies:
  - {name: db, kind: tcp, addr: "db:5432", fail_after: 1m}
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
}
