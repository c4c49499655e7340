package config

import (
	"testing"
	"time"
)

// TestAlertsSection parses the DESIGN.md example and the other keys, with
// their defaults.
func TestAlertsSection(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name, yaml string
		want       AlertWebhook
		enabled    bool
	}{
		{"absent", "server: {}\n", AlertWebhook{Timeout: 10 * time.Second, QueueSize: 1000}, false},
		{"design example", "alerts:\n  webhook: {url_env: FLYWHEEL_ALERT_WEBHOOK}\n",
			AlertWebhook{URLEnv: "FLYWHEEL_ALERT_WEBHOOK", Timeout: 10 * time.Second, QueueSize: 1000}, true},
		{"every key", "alerts:\n  webhook: {url: \"http://am:9093\", timeout: 3s, queue_size: 50}\n",
			AlertWebhook{URL: "http://am:9093", Timeout: 3 * time.Second, QueueSize: 50}, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			cfg, err := Parse("f.yaml", []byte(tt.yaml))
			if err != nil {
				t.Fatal(err)
			}
			if cfg.Alerts.Webhook != tt.want || cfg.Alerts.Webhook.Enabled() != tt.enabled {
				t.Errorf("webhook = %+v (enabled %v), want %+v (%v)", cfg.Alerts.Webhook, cfg.Alerts.Webhook.Enabled(), tt.want, tt.enabled)
			}
		})
	}
}

// TestAlertsErrors checks that each bad key is reported at its line.
func TestAlertsErrors(t *testing.T) {
	t.Parallel()
	tests := []struct{ name, yaml, want string }{
		{"url and url_env", "alerts:\n  webhook:\n    url: http://am:9093\n    url_env: AM_URL\n",
			"f.yaml:4: alerts.webhook.url_env: set url or url_env, not both"},
		{"url without scheme", "alerts:\n  webhook: {url: am:9093}\n",
			`f.yaml:2: alerts.webhook.url: must be an http:// or https:// URL, got "am:9093" (add the scheme, like http://am:9093)`},
		{"url with another scheme", "alerts:\n  webhook:\n    url: ftp://am\n",
			`f.yaml:3: alerts.webhook.url: must be an http:// or https:// URL with a host, got "ftp://am"`},
		{"url_env holding a URL", "alerts:\n  webhook:\n    url_env: http://am:9093\n",
			"f.yaml:3: alerts.webhook.url_env: must be the name of an environment variable (letters, digits and _, like MY_API_KEY), not the secret itself"},
		{"timeout zero", "alerts:\n  webhook: {url: \"http://am:9093\", timeout: 0s}\n",
			"f.yaml:2: alerts.webhook.timeout: must be > 0, got 0s"},
		{"queue_size zero", "alerts:\n  webhook:\n    url: http://am:9093\n    queue_size: 0\n",
			"f.yaml:4: alerts.webhook.queue_size: must be > 0, got 0"},
		{"unknown key", "alerts:\n  webhook: {url: \"http://am:9093\", receiver: x}\n",
			`f.yaml:2: alerts.webhook.receiver: unknown key (known keys: url, url_env, timeout, queue_size)`},
		{"email is not a receiver", "alerts:\n  email: {to: me}\n", `f.yaml:2: alerts.email: unknown key (known keys: webhook)`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			_, err := Parse("f.yaml", []byte(tt.yaml))
			if err == nil || err.Error() != tt.want {
				t.Errorf("Parse =\n%v\nwant\n%s", err, tt.want)
			}
		})
	}
}
