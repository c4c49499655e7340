package config

// Config is the whole configuration file. Every section is optional; Load
// fills what is absent from Default.
type Config struct {
	// Server is the HTTP listener and its authentication.
	Server Server `yaml:"server"`
	// Store is where telemetry and feedback are kept.
	Store Store `yaml:"store"`
	// Backends are the inference servers the gateway calls.
	Backends []Backend `yaml:"backends"`
	// Routes map the model names clients ask for to fallback chains of
	// backends.
	Routes []Route `yaml:"routes"`
	// Dependencies are the services health checks probe.
	Dependencies []Dependency `yaml:"dependencies"`
	// Health configures the probe loop and resource thresholds.
	Health Health `yaml:"health"`
	// Feedback declares the feedback metrics clients may send.
	Feedback Feedback `yaml:"feedback"`
	// Capture decides what of each inference is recorded.
	Capture Capture `yaml:"capture"`
	// SLOs are the service level objectives judged on every inference.
	SLOs []SLO `yaml:"slos"`
	// Resources configures GPU and backend metrics sampling.
	Resources Resources `yaml:"resources"`
	// Alerts says where alerts are sent.
	Alerts Alerts `yaml:"alerts"`
}

// Default returns the configuration of an empty file: every section at its
// defaults, with no backends, routes, dependencies or feedback metrics.
func Default() *Config {
	return &Config{
		Server:    DefaultServer(),
		Store:     DefaultStore(),
		Health:    DefaultHealth(),
		Capture:   DefaultCapture(),
		Resources: DefaultResources(),
		Alerts:    DefaultAlerts(),
	}
}

// Validate normalizes and checks a Config built or changed in code, the way
// Load does for a file (without lines: problems name only the key path).
// It returns Errors, or nil.
func (c *Config) Validate() error {
	r := newReport("")
	check(c, r)
	return r.result()
}

// Backend returns the backend with the given name.
func (c *Config) Backend(name string) (Backend, bool) {
	for _, b := range c.Backends {
		if b.Name == name {
			return b, true
		}
	}
	return Backend{}, false
}

// Route returns the route with the given name.
func (c *Config) Route(name string) (Route, bool) {
	for _, r := range c.Routes {
		if r.Name == name {
			return r, true
		}
	}
	return Route{}, false
}

// Dependency returns the dependency with the given name.
func (c *Config) Dependency(name string) (Dependency, bool) {
	for _, d := range c.Dependencies {
		if d.Name == name {
			return d, true
		}
	}
	return Dependency{}, false
}

// validate checks what spans sections: unique names and routes that name
// defined backends.
func (c *Config) validate(v *validator, _ string) {
	c.validateSLOs(v)
	names := func(n int, name func(int) string) []string {
		out := make([]string, n)
		for i := range out {
			out[i] = name(i)
		}
		return out
	}
	backends := names(len(c.Backends), func(i int) string { return c.Backends[i].Name })
	v.unique("backends", backends)
	v.unique("routes", names(len(c.Routes), func(i int) string { return c.Routes[i].Name }))
	v.unique("dependencies", names(len(c.Dependencies), func(i int) string { return c.Dependencies[i].Name }))
	v.unique("feedback.metrics", names(len(c.Feedback.Metrics), func(i int) string { return c.Feedback.Metrics[i].Name }))

	if v.r.suppressed("backends") {
		return // the list failed to decode: every target would look undefined
	}
	defined := map[string]bool{}
	var list []string
	for _, b := range backends {
		if b != "" && !defined[b] {
			defined[b] = true
			list = append(list, b)
		}
	}
	for i, r := range c.Routes {
		for j, t := range r.Targets {
			if t.Backend != "" && !defined[t.Backend] {
				v.errorf(join(index(join(index("routes", i), "targets"), j), "backend"),
					"backend %q is not defined (defined: %s)", t.Backend, quoted(list))
			}
		}
	}
}
