package provenance

import (
	"strings"
	"testing"
)

func TestParseReference(t *testing.T) {
	t.Parallel()
	const dig = "sha256:0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef"
	tests := []struct {
		in                             string
		registry, repository, tag, dgs string
		name                           string
	}{
		{in: "ubuntu", registry: "index.docker.io", repository: "library/ubuntu", name: "index.docker.io/library/ubuntu"},
		{in: "ubuntu:22.04", registry: "index.docker.io", repository: "library/ubuntu", tag: "22.04"},
		{in: "grafana/grafana:11.0.0", registry: "index.docker.io", repository: "grafana/grafana", tag: "11.0.0"},
		{in: "localhost:5000/a/b:tag", registry: "localhost:5000", repository: "a/b", tag: "tag"},
		{in: "registry:5000/x", registry: "registry:5000", repository: "x"},
		{in: "registry.example.com/team/app", registry: "registry.example.com", repository: "team/app"},
		{in: "docker.io/library/ubuntu:22.04@" + dig, registry: "index.docker.io", repository: "library/ubuntu", tag: "22.04", dgs: dig,
			name: "index.docker.io/library/ubuntu"},
		{in: "ghcr.io/o/r@" + dig, registry: "ghcr.io", repository: "o/r", dgs: dig},
		{in: "127.0.0.1:5000/img:v1.2.3-rc.1", registry: "127.0.0.1:5000", repository: "img", tag: "v1.2.3-rc.1"},
	}
	for _, tc := range tests {
		t.Run(tc.in, func(t *testing.T) {
			r, err := ParseReference(tc.in)
			if err != nil {
				t.Fatal(err)
			}
			if r.Registry != tc.registry || r.Repository != tc.repository || r.Tag != tc.tag || r.Digest != tc.dgs {
				t.Errorf("got registry %q repository %q tag %q digest %q", r.Registry, r.Repository, r.Tag, r.Digest)
			}
			if tc.name != "" && r.Name() != tc.name {
				t.Errorf("Name() = %q, want %q", r.Name(), tc.name)
			}
			if tc.tag == "" && r.EffectiveTag() != "latest" {
				t.Errorf("EffectiveTag() = %q, want latest", r.EffectiveTag())
			}
		})
	}
}

func TestParseReferenceInvalid(t *testing.T) {
	t.Parallel()
	tests := []struct{ in, want string }{
		{"", "empty"},
		{"Ubuntu:22.04", "repository can only contain"},
		{"library/UBUNTU", "repository can only contain"},
		{"ubuntu:", "must specify a tag name after the colon"},
		{"ubuntu:bad/tag:x", "registries must be valid"}, {"ubuntu:bad tag", "tag can only contain"},
		{"ubuntu@sha256:abc", "invalid checksum digest length"},
		{"ubuntu:22.04@md5:0123", "unsupported digest algorithm"},
		{" ubuntu", "white space"},
		{"a@b@c", "exactly one '@'"},
	}
	for _, tc := range tests {
		t.Run(tc.in, func(t *testing.T) {
			_, err := ParseReference(tc.in)
			if err == nil {
				t.Fatalf("%q parsed", tc.in)
			}
			if !strings.Contains(err.Error(), tc.want) || !strings.Contains(err.Error(), "invalid image reference") {
				t.Errorf("error %q does not say %q", err, tc.want)
			}
		})
	}
}

func TestPinnedKeepsTheTextAsWritten(t *testing.T) {
	t.Parallel()
	const dig = "sha256:0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef"
	for in, want := range map[string]string{
		"ubuntu":                                "ubuntu@" + dig,
		"localhost:5000/a/b:tag":                "localhost:5000/a/b:tag@" + dig,
		"x:1@sha256:" + strings.Repeat("f", 64): "x:1@" + dig,
	} {
		r, err := ParseReference(in)
		if err != nil {
			t.Fatal(err)
		}
		if got := r.Pinned(dig); got != want {
			t.Errorf("Pinned(%q) = %q, want %q", in, got, want)
		}
	}
}
