package resource

import "github.com/flywheel-stack/flywheel/config"

// OptionsFromConfig returns the sampler options that cfg's resources
// section and backends give: the interval, the GPU mode, and the llamacpp
// and vllm backends when backend_metrics is on. apiKey returns a backend's
// API key by name (what the gateway read from its api_key_env); nil sends
// none. The caller sets Clock, Logger and OnSample.
func OptionsFromConfig(cfg *config.Config, apiKey func(backend string) string) Options {
	r := cfg.Resources
	opts := Options{Interval: r.Interval, GPU: GPUMode(r.GPU)}
	if !r.BackendMetrics {
		return opts
	}
	for _, b := range cfg.Backends {
		if !Scraped(string(b.Kind)) {
			continue
		}
		rb := Backend{Name: b.Name, Kind: string(b.Kind), URL: b.URL}
		if apiKey != nil {
			rb.APIKey = apiKey(b.Name)
		}
		opts.Backends = append(opts.Backends, rb)
	}
	return opts
}
