package provenance

import (
	"fmt"
	"strings"

	"github.com/google/go-containerregistry/pkg/name"
)

// Reference is an image reference as written in a file, parsed as container
// tools parse it.
type Reference struct {
	// Original is the text as written.
	Original string
	// Registry is the registry host, with its port if any; Docker Hub is
	// "index.docker.io".
	Registry string
	// Repository is the repository path in the registry, with the implicit
	// "library/" of Docker Hub official images.
	Repository string
	// Tag is the tag as written; "" when none was written (the tools then
	// use "latest").
	Tag string
	// Digest is the digest as written ("sha256:…"), or "".
	Digest string

	repo name.Repository
}

// ParseReference parses s. opts are go-containerregistry name options, such
// as name.Insecure for a registry served over plain HTTP.
func ParseReference(s string, opts ...name.Option) (Reference, error) {
	r := Reference{Original: s}
	if s == "" {
		return r, fmt.Errorf("invalid image reference: empty")
	}
	if strings.TrimSpace(s) != s {
		return r, fmt.Errorf("invalid image reference %q: surrounding white space", s)
	}
	base := s
	if i := strings.IndexByte(s, '@'); i >= 0 {
		base, r.Digest = s[:i], s[i+1:]
	}
	// A tag follows the last colon after the last slash; a colon before
	// the last slash belongs to a registry port.
	if i := strings.LastIndexByte(base, ':'); i > strings.LastIndexByte(base, '/') {
		r.Tag = base[i+1:]
	}
	opts = append(opts, name.WeakValidation)
	// The tag part is checked on its own first: pkg/name would otherwise
	// blame a bad tag next to a digest on the repository.
	t, err := name.NewTag(base, opts...)
	r.repo = t.Context()
	if err == nil && r.Digest != "" {
		var d name.Digest
		d, err = name.NewDigest(s, opts...)
		r.repo = d.Context()
	}
	if err != nil {
		return Reference{Original: s}, fmt.Errorf("invalid image reference %q: %s", s, explain(err))
	}
	r.Registry = r.repo.RegistryStr()
	r.Repository = r.repo.RepositoryStr()
	return r, nil
}

// explain turns pkg/name's messages into one short sentence.
func explain(err error) string {
	msg := strings.TrimPrefix(err.Error(), "could not parse reference: ")
	return msg
}

// Repo returns the parsed repository, for registry calls.
func (r Reference) Repo() name.Repository { return r.repo }

// Name returns the fully qualified repository, such as
// "index.docker.io/library/ubuntu".
func (r Reference) Name() string { return r.repo.Name() }

// EffectiveTag is the tag the tools pull when there is no digest: the
// written tag, or "latest".
func (r Reference) EffectiveTag() string {
	if r.Tag == "" {
		return name.DefaultTag
	}
	return r.Tag
}

// TagRef returns the reference to the tag (the written one or latest).
func (r Reference) TagRef() name.Tag { return r.repo.Tag(r.EffectiveTag()) }

// DigestRef returns the reference to the digest; it is meaningful only when
// Digest is set.
func (r Reference) DigestRef() name.Digest { return r.repo.Digest(r.Digest) }

// Pinned returns the reference as written with digest appended: the
// rewritten token of a pin ("ubuntu:22.04" becomes
// "ubuntu:22.04@sha256:…"). A written digest is replaced.
func (r Reference) Pinned(digest string) string {
	base := r.Original
	if i := strings.IndexByte(base, '@'); i >= 0 {
		base = base[:i]
	}
	return base + "@" + digest
}

// String returns the reference as written.
func (r Reference) String() string { return r.Original }
