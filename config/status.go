package config

import (
	"fmt"
	"strconv"
	"strings"

	"go.yaml.in/yaml/v3"
)

// StatusRange is an inclusive range of HTTP status codes.
type StatusRange struct {
	// Min is the lowest code in the range.
	Min int
	// Max is the highest code in the range.
	Max int
}

// StatusRanges is a set of HTTP status codes, written in YAML as one code
// (200), a range ("200-399"), a class ("2xx") or a comma-separated list of
// those ("200,204,300-399").
type StatusRanges []StatusRange

// ParseStatusRanges parses "200", "200-399", "2xx" or a comma-separated list
// of them. Codes must be in [100,599].
func ParseStatusRanges(s string) (StatusRanges, error) {
	var out StatusRanges
	for part := range strings.SplitSeq(s, ",") {
		part = strings.TrimSpace(part)
		r, err := parseStatusRange(part)
		if err != nil {
			return nil, fmt.Errorf("invalid status %q: %w", s, err)
		}
		out = append(out, r)
	}
	return out, nil
}

func parseStatusRange(part string) (StatusRange, error) {
	if len(part) == 3 && strings.EqualFold(part[1:], "xx") && part[0] >= '1' && part[0] <= '5' {
		c := int(part[0]-'0') * 100
		return StatusRange{c, c + 99}, nil
	}
	lo, hi, isRange := strings.Cut(part, "-")
	first, err := statusCode(lo)
	if err != nil {
		return StatusRange{}, err
	}
	last := first
	if isRange {
		if last, err = statusCode(hi); err != nil {
			return StatusRange{}, err
		}
		if last < first {
			return StatusRange{}, fmt.Errorf("range %s ends before it starts", part)
		}
	}
	return StatusRange{first, last}, nil
}

func statusCode(s string) (int, error) {
	s = strings.TrimSpace(s)
	c, err := strconv.Atoi(s)
	if err != nil || c < 100 || c > 599 {
		return 0, fmt.Errorf("want codes in [100,599] like 200, ranges like 200-399 or classes like 2xx, got %q", s)
	}
	return c, nil
}

// Contains reports whether code is in the set.
func (s StatusRanges) Contains(code int) bool {
	for _, r := range s {
		if code >= r.Min && code <= r.Max {
			return true
		}
	}
	return false
}

// String formats the set as ParseStatusRanges reads it: "200-399", "200,204".
func (s StatusRanges) String() string {
	parts := make([]string, len(s))
	for i, r := range s {
		if r.Min == r.Max {
			parts[i] = strconv.Itoa(r.Min)
		} else {
			parts[i] = fmt.Sprintf("%d-%d", r.Min, r.Max)
		}
	}
	return strings.Join(parts, ",")
}

// UnmarshalText parses the set with ParseStatusRanges.
func (s *StatusRanges) UnmarshalText(text []byte) error {
	v, err := ParseStatusRanges(string(text))
	if err != nil {
		return err
	}
	*s = v
	return nil
}

// MarshalText formats the set with String.
func (s StatusRanges) MarshalText() ([]byte, error) {
	return []byte(s.String()), nil
}

// UnmarshalYAML reads an integer code, a string, or a sequence of those.
func (s *StatusRanges) UnmarshalYAML(n *yaml.Node) error {
	var parts []string
	switch n.Kind {
	case yaml.ScalarNode:
		parts = []string{n.Value}
	case yaml.SequenceNode:
		for _, item := range n.Content {
			item = resolve(item)
			if item.Kind != yaml.ScalarNode {
				return typeError(`a status like 200, "200-399" or "2xx"`, item)
			}
			parts = append(parts, item.Value)
		}
	}
	for _, p := range parts {
		if p == "" {
			return typeError(`a status like 200, "200-399" or "2xx"`, n)
		}
	}
	if len(parts) == 0 || (n.Kind == yaml.ScalarNode && n.ShortTag() != "!!int" && n.ShortTag() != "!!str") {
		return typeError(`a status like 200, "200-399" or "2xx"`, n)
	}
	return s.UnmarshalText([]byte(strings.Join(parts, ",")))
}
