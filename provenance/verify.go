package provenance

import (
	"context"
	"errors"
)

// Verify asks the registries about every pinned reference in files: the
// digest must still exist, and a tag written next to it must still point at
// it. Each distinct digest and tag is asked once. Findings use
// RuleDigestMissing, RuleTagMoved and RuleRegistryError; references without
// a digest are counted but not reported (Check reports them).
func (r *Resolver) Verify(ctx context.Context, files []File) *Report {
	rep := &Report{Files: len(files)}
	type pinned struct {
		occ Occurrence
		ref Reference
	}
	var all []pinned
	var digestKeys, tagKeys []string
	refs := map[string]Reference{}
	for _, f := range files {
		for _, o := range f.Occurrences {
			rep.Images++
			ref, err := r.Parse(o.Image)
			if err != nil {
				rep.Findings = append(rep.Findings, findingAt(o, RuleInvalidReference, "%v", err))
				continue
			}
			if ref.Digest == "" {
				continue
			}
			rep.Pinned++
			all = append(all, pinned{o, ref})
			dk := ref.DigestRef().Name()
			refs[dk] = ref
			digestKeys = append(digestKeys, dk)
			if ref.Tag != "" {
				tk := ref.TagRef().Name()
				refs[tk] = ref
				tagKeys = append(tagKeys, tk)
			}
		}
	}
	exists := r.each(ctx, digestKeys, func(ctx context.Context, key string) (string, error) {
		return "", r.Exists(ctx, refs[key])
	})
	current := r.each(ctx, tagKeys, func(ctx context.Context, key string) (string, error) {
		return r.Digest(ctx, refs[key])
	})
	for _, p := range all {
		if err := exists[p.ref.DigestRef().Name()].err; err != nil {
			if errors.Is(err, ErrNotFound) {
				rep.Findings = append(rep.Findings, findingAt(p.occ, RuleDigestMissing,
					"image %q: the pinned digest is no longer in the registry", p.occ.Image))
			} else {
				rep.Findings = append(rep.Findings, findingAt(p.occ, RuleRegistryError, "image %q: %v", p.occ.Image, err))
			}
			continue
		}
		if p.ref.Tag == "" {
			continue
		}
		now := current[p.ref.TagRef().Name()]
		switch {
		case errors.Is(now.err, ErrNotFound):
			rep.Findings = append(rep.Findings, findingAt(p.occ, RuleTagMoved,
				"image %q: tag %q is no longer in the registry", p.occ.Image, p.ref.Tag))
		case now.err != nil:
			rep.Findings = append(rep.Findings, findingAt(p.occ, RuleRegistryError, "image %q: %v", p.occ.Image, now.err))
		case now.digest != p.ref.Digest:
			rep.Findings = append(rep.Findings, findingAt(p.occ, RuleTagMoved,
				"image %q: tag %q has moved to %s (re-pin with flywheel images pin)", p.occ.Image, p.ref.Tag, now.digest))
		}
	}
	return rep
}
