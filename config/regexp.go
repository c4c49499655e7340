package config

import (
	"fmt"
	"regexp"
	"strings"

	"go.yaml.in/yaml/v3"
)

// Regexp is a regular expression (Go RE2 syntax) compiled when the file is
// loaded, so that a pattern that does not compile is reported with its line.
type Regexp struct {
	*regexp.Regexp
}

// MustRegexp compiles expr and panics if it does not compile; for tests and
// for building a Config in code.
func MustRegexp(expr string) Regexp {
	return Regexp{regexp.MustCompile(expr)}
}

// String returns the source text of the expression; "" for the zero Regexp.
func (r Regexp) String() string {
	if r.Regexp == nil {
		return ""
	}
	return r.Regexp.String()
}

// UnmarshalText compiles the expression.
func (r *Regexp) UnmarshalText(text []byte) error {
	re, err := regexp.Compile(string(text))
	if err != nil {
		return fmt.Errorf("invalid regular expression %q: %s", text, strings.TrimPrefix(err.Error(), "error parsing regexp: "))
	}
	r.Regexp = re
	return nil
}

// MarshalText returns the source text of the expression.
func (r Regexp) MarshalText() ([]byte, error) {
	return []byte(r.String()), nil
}

// UnmarshalYAML compiles a string node.
func (r *Regexp) UnmarshalYAML(n *yaml.Node) error {
	if n.Kind == yaml.ScalarNode {
		switch n.ShortTag() {
		case "!!str", "!!int", "!!float", "!!bool":
			return r.UnmarshalText([]byte(n.Value))
		}
	}
	return typeError("a regular expression string", n)
}
