package provenance

import (
	"fmt"
)

// Rule identifies the kind of a finding (the SARIF rule id).
type Rule string

// The rules Check and Verify apply.
const (
	// RuleInvalidReference: the reference does not parse.
	RuleInvalidReference Rule = "invalid-reference"
	// RuleImplicitLatest: no tag and no digest.
	RuleImplicitLatest Rule = "implicit-latest"
	// RuleMutableTag: a tag the policy calls mutable, and no digest.
	RuleMutableTag Rule = "mutable-tag"
	// RuleNoDigest: no digest while the policy requires one.
	RuleNoDigest Rule = "no-digest"
	// RuleMutablePullPolicy: a mutable tag with IfNotPresent or Always.
	RuleMutablePullPolicy Rule = "mutable-pull-policy"
	// RuleDigestMissing: the pinned digest is gone from the registry.
	RuleDigestMissing Rule = "digest-missing"
	// RuleTagMoved: the tag points at another digest than the pinned one,
	// or is gone.
	RuleTagMoved Rule = "tag-moved"
	// RuleRegistryError: the registry could not be asked.
	RuleRegistryError Rule = "registry-error"
)

// ruleHelp describes each rule for SARIF and the docs.
var ruleHelp = map[Rule]string{
	RuleInvalidReference:  "The image reference does not parse as the container tools parse it.",
	RuleImplicitLatest:    "The image has no tag and no digest: the tools pull latest, which changes on every push.",
	RuleMutableTag:        "The image tag names a channel (latest, dev, main...) rather than a build, and there is no digest.",
	RuleNoDigest:          "The image is not pinned by digest and the policy requires one.",
	RuleMutablePullPolicy: "A mutable tag with a pull policy: IfNotPresent keeps stale copies on nodes, Always changes what runs on every restart.",
	RuleDigestMissing:     "The pinned digest no longer exists in the registry.",
	RuleTagMoved:          "The tag now points at another digest than the one pinned.",
	RuleRegistryError:     "The registry could not be asked about the image.",
}

// Finding is one problem at a place in a file.
type Finding struct {
	// File, Line and Column locate the reference.
	File   string `json:"file"`
	Line   int    `json:"line"`
	Column int    `json:"column"`
	// Rule is the kind of problem.
	Rule Rule `json:"rule"`
	// Image is the reference (after ARG substitution).
	Image string `json:"image"`
	// Where names the place in the file (object and container, service).
	Where string `json:"where,omitempty"`
	// Message says what is wrong, in one sentence.
	Message string `json:"message"`
}

// String returns "file:line: message", as compilers print errors.
func (f Finding) String() string {
	return fmt.Sprintf("%s:%d: %s", f.File, f.Line, f.Message)
}

func findingAt(o Occurrence, rule Rule, format string, args ...any) Finding {
	msg := fmt.Sprintf(format, args...)
	if o.Where != "" {
		msg += " (" + o.Where + ")"
	}
	return Finding{File: o.File, Line: o.Line, Column: o.Column, Rule: rule, Image: o.Image, Where: o.Where, Message: msg}
}

// Report is the result of Check or Verify.
type Report struct {
	// Files is the number of files scanned, Images the number of image
	// references in them, Pinned the references with a digest.
	Files, Images, Pinned int
	// Findings are in file order.
	Findings []Finding
	// Errors are the inputs that could not be read (see InputError).
	Errors []error
}

// ExitCode is 2 when an input could not be read, 1 when there are findings,
// and 0 otherwise.
func (r *Report) ExitCode() int {
	switch {
	case len(r.Errors) > 0:
		return 2
	case len(r.Findings) > 0:
		return 1
	}
	return 0
}

// Check applies the policy to every reference of files.
func Check(files []File, p Policy) *Report {
	r := &Report{Files: len(files)}
	for _, f := range files {
		for _, o := range f.Occurrences {
			r.Images++
			ref, err := ParseReference(o.Image)
			if err != nil {
				r.Findings = append(r.Findings, findingAt(o, RuleInvalidReference, "%v", err))
				continue
			}
			if ref.Digest != "" {
				r.Pinned++
				continue
			}
			r.Findings = append(r.Findings, checkUnpinned(o, ref, p)...)
		}
	}
	return r
}

// checkUnpinned applies the policy to a reference without a digest.
func checkUnpinned(o Occurrence, ref Reference, p Policy) []Finding {
	var out []Finding
	mutable := false
	if ref.Tag == "" {
		mutable = true
		out = append(out, findingAt(o, RuleImplicitLatest, "image %q has no tag: it means latest, which moves on every push; use an immutable tag or pin a digest", o.Image))
	} else if m, why := p.Mutable(ref.Tag); m {
		mutable = true
		out = append(out, findingAt(o, RuleMutableTag, "image %q: %s; use an immutable tag or pin a digest", o.Image, why))
	}
	if p.RequireDigest {
		out = append(out, findingAt(o, RuleNoDigest, "image %q is not pinned by digest (flywheel images pin)", o.Image))
	}
	if mutable {
		switch o.PullPolicy {
		case "IfNotPresent":
			out = append(out, findingAt(o, RuleMutablePullPolicy, "image %q has a mutable tag with pull policy IfNotPresent: nodes keep whatever copy they pulled first, so replicas run different builds", o.Image))
		case "Always":
			out = append(out, findingAt(o, RuleMutablePullPolicy, "image %q has a mutable tag with pull policy Always: what runs changes on every restart", o.Image))
		}
	}
	return out
}
