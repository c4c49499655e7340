package config

import (
	"testing"
	"time"

	"github.com/flywheel-stack/flywheel/resilience"
)

func TestRetrySpecToResilience(t *testing.T) {
	t.Parallel()
	// Every preset name loads, unchanged without overrides.
	for _, name := range resilience.PresetNames() {
		want, _ := resilience.Preset(name)
		got, err := RetrySpec{Preset: name}.ToResilience("")
		if err != nil {
			t.Fatalf("preset %s: %v", name, err)
		}
		if got.Name != want.Name || got.MaxAttempts != want.MaxAttempts || got.BaseDelay != want.BaseDelay ||
			got.MaxDelay != want.MaxDelay || got.Multiplier != want.Multiplier || got.Jitter != want.Jitter ||
			got.HoldBreaker != want.HoldBreaker || (got.RetryIf == nil) != (want.RetryIf == nil) {
			t.Errorf("preset %s = %+v, want %+v", name, got, want)
		}
	}
	// The zero spec is the default preset.
	got, err := RetrySpec{}.ToResilience("b")
	if err != nil || got.Name != "b" || got.MaxAttempts != 2 || got.BaseDelay != time.Second || !got.HoldBreaker {
		t.Errorf("zero spec = %+v, %v; want llm_inference named b", got, err)
	}
	// Overrides apply on top of the preset.
	got, err = RetrySpec{Preset: "database", MaxAttempts: 9, BaseDelay: time.Second, MaxDelay: time.Minute,
		Multiplier: 1.5, Jitter: "equal", MaxElapsed: 3 * time.Minute}.ToResilience("db")
	if err != nil {
		t.Fatal(err)
	}
	if got.Name != "db" || got.MaxAttempts != 9 || got.BaseDelay != time.Second || got.MaxDelay != time.Minute ||
		got.Multiplier != 1.5 || got.Jitter != resilience.JitterEqual || got.MaxElapsed != 3*time.Minute {
		t.Errorf("overrides = %+v", got)
	}
	if _, err := (RetrySpec{Preset: "nope"}).ToResilience(""); err == nil {
		t.Errorf("unknown preset: no error")
	}
	if _, err := (RetrySpec{Jitter: "nope"}).ToResilience(""); err == nil {
		t.Errorf("unknown jitter: no error")
	}
}

func TestRetrySection(t *testing.T) {
	t.Parallel()
	cfg, err := Parse("f.yaml", []byte(`backends:
  - {name: a, kind: llamacpp, url: "http://a"}
  - {name: b, kind: openai, url: "https://b", retry: {max_attempts: 1}}
  - {name: c, kind: vllm, url: "http://c", retry: {preset: vector_db, jitter: none}}
`))
	if err != nil {
		t.Fatal(err)
	}
	a, _ := cfg.Backends[0].RetryConfig()
	b, _ := cfg.Backends[1].RetryConfig()
	c, _ := cfg.Backends[2].RetryConfig()
	if a.MaxAttempts != 2 || a.MaxDelay != 10*time.Second || a.Name != "a" {
		t.Errorf("a = %+v, want llm_inference", a)
	}
	if b.MaxAttempts != 1 || b.BaseDelay != time.Second || !b.HoldBreaker {
		t.Errorf("b = %+v, want llm_inference with one attempt", b)
	}
	if c.MaxAttempts != 3 || c.MaxDelay != 30*time.Second || c.Jitter != resilience.JitterNone {
		t.Errorf("c = %+v, want vector_db without jitter", c)
	}
}
