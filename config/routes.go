package config

import (
	"strings"
	"unicode"
)

// DefaultDegradedMessage is the message of a route's degraded answer when
// the file sets none.
const DefaultDegradedMessage = "The assistant is degraded; retry shortly."

// Route maps a model name clients ask for to a fallback chain of targets.
type Route struct {
	// Name is the model name clients ask for. Required, unique, no spaces.
	Name string `yaml:"name"`
	// Targets are tried in order until one answers. At least one.
	Targets []Target `yaml:"targets"`
	// Degraded is the answer when every target failed.
	Degraded Degraded `yaml:"degraded"`
}

// SetDefaults sets every field to its default: no name or targets, the
// default degraded answer.
func (r *Route) SetDefaults() {
	*r = Route{Degraded: DefaultDegraded()}
}

func (r *Route) validate(v *validator, path string) {
	switch {
	case r.Name == "":
		v.errorf(join(path, "name"), "required")
	case strings.IndexFunc(r.Name, func(c rune) bool { return unicode.IsSpace(c) || unicode.IsControl(c) }) >= 0:
		v.errorf(join(path, "name"), "must not contain spaces, got %q", r.Name)
	}
	targets := join(path, "targets")
	if len(r.Targets) == 0 {
		v.errorf(targets, "must list at least one {backend, model}")
	}
	first := map[Target]int{}
	for i, t := range r.Targets {
		if t.Backend == "" || t.Model == "" {
			continue
		}
		if j, dup := first[t]; dup {
			v.errorf(index(targets, i), "repeats %s (backend %q, model %q)", v.lineOf(index(targets, j)), t.Backend, t.Model)
			continue
		}
		first[t] = i
	}
}

// Target is one step of a route's fallback chain.
type Target struct {
	// Backend names a backend defined under backends. Required.
	Backend string `yaml:"backend"`
	// Model is the model name sent to that backend. Required.
	Model string `yaml:"model"`
}

func (t *Target) validate(v *validator, path string) {
	if t.Backend == "" {
		v.errorf(join(path, "backend"), "required")
	}
	if t.Model == "" {
		v.errorf(join(path, "model"), "required")
	}
}

// Degraded is the answer a route gives when all its targets failed.
type Degraded struct {
	// Status is the HTTP status, 4xx or 5xx. Default 503.
	Status int `yaml:"status"`
	// Message is the error message. Default "The assistant is degraded;
	// retry shortly."
	Message string `yaml:"message"`
}

// DefaultDegraded returns the degraded answer's defaults.
func DefaultDegraded() Degraded {
	return Degraded{Status: 503, Message: DefaultDegradedMessage}
}

func (d *Degraded) validate(v *validator, path string) {
	if d.Status < 400 || d.Status > 599 {
		v.errorf(join(path, "status"), "must be a 4xx or 5xx HTTP status, got %d", d.Status)
	}
	if strings.TrimSpace(d.Message) == "" {
		v.errorf(join(path, "message"), "must not be empty")
	}
}
