package config

import "time"

// Alerts configures where Flywheel sends the alerts it raises (the SLOs'
// burn-rate alerts).
type Alerts struct {
	// Webhook sends alerts to Alertmanager's API v2 (or anything that
	// accepts its shape). Off unless url or url_env is set.
	Webhook AlertWebhook `yaml:"webhook"`
}

// AlertWebhook is an Alertmanager (API v2) receiver: Flywheel POSTs a
// JSON array of alerts to URL + "/api/v2/alerts".
type AlertWebhook struct {
	// URL is Alertmanager's base URL (http://alertmanager:9093). Exclusive
	// with URLEnv.
	URL string `yaml:"url"`
	// URLEnv names an environment variable holding the URL, to keep
	// credentials (https://user:password@host) out of the file.
	URLEnv string `yaml:"url_env"`
	// Timeout bounds each attempt. Default 10s.
	Timeout time.Duration `yaml:"timeout"`
	// QueueSize bounds the alerts waiting to be sent while the receiver is
	// down; beyond it the oldest are dropped (and counted). Default 1000.
	QueueSize int `yaml:"queue_size"`
}

// DefaultAlerts returns the alerts section's defaults: no webhook.
func DefaultAlerts() Alerts {
	return Alerts{Webhook: AlertWebhook{Timeout: 10 * time.Second, QueueSize: 1000}}
}

// Enabled reports whether the webhook is configured.
func (w AlertWebhook) Enabled() bool { return w.URL != "" || w.URLEnv != "" }

func (w *AlertWebhook) validate(v *validator, path string) {
	key := func(k string) string { return join(path, k) }
	v.envName(key("url_env"), w.URLEnv)
	switch {
	case w.URL != "" && w.URLEnv != "":
		v.errorf(key("url_env"), "set url or url_env, not both")
	case w.URL != "":
		v.httpURL(key("url"), w.URL)
	}
	v.positive(key("timeout"), w.Timeout)
	if w.QueueSize <= 0 {
		v.errorf(key("queue_size"), "must be > 0, got %d", w.QueueSize)
	}
}
