package config

import (
	"fmt"
	"testing"
	"time"

	"github.com/flywheel-stack/flywheel/resilience"
)

// TestDefaultsAdaptToWhatTheFileSet checks that a default gives way to a key
// the file set instead of conflicting with it: only two values the file set
// can conflict (TestParseErrors has those).
func TestDefaultsAdaptToWhatTheFileSet(t *testing.T) {
	t.Parallel()
	const b = "backends:\n  - {name: b, kind: vllm, url: 'http://b', "
	tests := []struct {
		name string
		yaml string
		got  func(c *Config) any
		want any
	}{
		{"total shorter than the default idle", b + "timeouts: {total: 30s}}\n",
			func(c *Config) any { return c.Backends[0].Timeouts },
			Timeouts{Connect: 2 * time.Second, FirstToken: 30 * time.Second, Idle: 30 * time.Second, Total: 30 * time.Second}},
		{"total shorter than every default", b + "timeouts: {total: 1s}}\n",
			func(c *Config) any { return c.Backends[0].Timeouts },
			Timeouts{Connect: time.Second, FirstToken: time.Second, Idle: time.Second, Total: time.Second}},
		{"first token longer than the default total", b + "timeouts: {first_token: 10m}}\n",
			func(c *Config) any { return c.Backends[0].Timeouts },
			Timeouts{Connect: 2 * time.Second, FirstToken: 10 * time.Minute, Idle: time.Minute, Total: 10 * time.Minute}},
		{"both set and consistent", b + "timeouts: {idle: 90s, total: 2m}}\n",
			func(c *Config) any { return c.Backends[0].Timeouts },
			Timeouts{Connect: 2 * time.Second, FirstToken: 30 * time.Second, Idle: 90 * time.Second, Total: 2 * time.Minute}},
		{"deep check interval shorter than the default timeout", b + "deep_check: {enabled: true, interval: 10s}}\n",
			func(c *Config) any { return c.Backends[0].DeepCheck },
			DeepCheck{Enabled: true, Interval: 10 * time.Second, Timeout: 10 * time.Second}},
		{"deep check timeout longer than the default interval", b + "deep_check: {enabled: true, timeout: 10m}}\n",
			func(c *Config) any { return c.Backends[0].DeepCheck },
			DeepCheck{Enabled: true, Interval: 10 * time.Minute, Timeout: 10 * time.Minute}},
		{"dependency interval shorter than the default timeout", "dependencies:\n  - {name: db, kind: tcp, addr: 'h:1', interval: 2s}\n",
			func(c *Config) any { return [2]time.Duration{c.Dependencies[0].Timeout, c.Dependencies[0].Interval} },
			[2]time.Duration{2 * time.Second, 2 * time.Second}},
		{"queue smaller than the default batch", "store: {queue_size: 10}\n",
			func(c *Config) any { return [2]int{c.Store.QueueSize, c.Store.BatchSize} }, [2]int{10, 10}},
		{"batch larger than the default queue", "store: {batch_size: 20000}\n",
			func(c *Config) any { return [2]int{c.Store.QueueSize, c.Store.BatchSize} }, [2]int{20000, 20000}},
		{"base delay above the preset's max delay", b + "retry: {base_delay: 20s}}\n",
			func(c *Config) any {
				r, _ := c.Backends[0].RetryConfig()
				return [2]time.Duration{r.BaseDelay, r.MaxDelay}
			},
			[2]time.Duration{20 * time.Second, 20 * time.Second}},
		{"max delay below the preset's base delay", b + "retry: {max_delay: 200ms}}\n",
			func(c *Config) any {
				r, _ := c.Backends[0].RetryConfig()
				return [2]time.Duration{r.BaseDelay, r.MaxDelay}
			},
			[2]time.Duration{200 * time.Millisecond, 200 * time.Millisecond}},
		{"count window smaller than the default min calls", b + "breaker: {window_calls: 5}}\n",
			func(c *Config) any {
				e := resilience.NewBreaker(c.Backends[0].BreakerConfig()).Config()
				return [2]int{e.MinCalls, e.WindowSize}
			},
			[2]int{5, 5}},
		{"max open for shorter than the default open for", b + "breaker: {max_open_for: 10s}}\n",
			func(c *Config) any { return resilience.NewBreaker(c.Backends[0].BreakerConfig()).Config().OpenFor },
			10 * time.Second},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			cfg, err := Parse("f.yaml", []byte(tt.yaml))
			if err != nil {
				t.Fatalf("Parse: %v", err)
			}
			if got := tt.got(cfg); fmt.Sprint(got) != fmt.Sprint(tt.want) {
				t.Errorf("got %+v, want %+v", got, tt.want)
			}
			if err := cfg.Validate(); err != nil {
				t.Errorf("the adapted config does not validate in code: %v", err)
			}
		})
	}
}

// TestDefaultsDoNotAdaptInCode checks that Config.Validate, which cannot
// tell a default from a value set in code, adapts nothing.
func TestDefaultsDoNotAdaptInCode(t *testing.T) {
	t.Parallel()
	cfg := Default()
	var b Backend
	b.SetDefaults()
	b.Name, b.Kind, b.URL = "b", KindVLLM, "http://b"
	b.Timeouts.Total = 30 * time.Second
	cfg.Backends = append(cfg.Backends, b)
	want := "backends[0].timeouts.idle: must be <= total (30s), got 1m0s"
	if err := cfg.Validate(); err == nil || err.Error() != want {
		t.Errorf("Validate = %v, want %s", err, want)
	}
}
