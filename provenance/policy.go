package provenance

import (
	"fmt"
	"regexp"
	"strings"
)

// DefaultMutableTags are the tags that are moved by convention: they name a
// channel, not a build.
var DefaultMutableTags = []string{"latest", "dev", "main", "master", "stable", "edge", "nightly"}

// Policy says which references Check reports.
type Policy struct {
	// MutableTags are tags treated as mutable, compared without case.
	MutableTags []string
	// MutablePatterns are regular expressions; a tag that one matches in
	// full is treated as mutable.
	MutablePatterns []*regexp.Regexp
	// RequireDigest reports every reference without a digest.
	RequireDigest bool
}

// DefaultPolicy treats DefaultMutableTags as mutable and requires no digest.
func DefaultPolicy() Policy {
	return Policy{MutableTags: append([]string(nil), DefaultMutableTags...)}
}

// AddPatterns compiles patterns (each must match a whole tag, as in
// `.*-snapshot` or `pr-[0-9]+`) and adds them to the policy.
func (p *Policy) AddPatterns(patterns ...string) error {
	for _, s := range patterns {
		re, err := regexp.Compile(`^(?:` + s + `)$`)
		if err != nil {
			return fmt.Errorf("mutable tag pattern %q: %w", s, err)
		}
		p.MutablePatterns = append(p.MutablePatterns, re)
	}
	return nil
}

// Mutable reports whether tag is mutable under the policy, and why.
func (p Policy) Mutable(tag string) (bool, string) {
	for _, t := range p.MutableTags {
		if strings.EqualFold(t, tag) {
			return true, fmt.Sprintf("%q is a mutable tag", tag)
		}
	}
	for _, re := range p.MutablePatterns {
		if re.MatchString(tag) {
			return true, fmt.Sprintf("tag %q matches the mutable-tag pattern %q", tag,
				strings.TrimSuffix(strings.TrimPrefix(re.String(), "^(?:"), ")$"))
		}
	}
	return false, ""
}
