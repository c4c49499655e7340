package provenance

import (
	"context"
	"fmt"
	"io"
)

// ImageError is a registry failure for one image at one place.
type ImageError struct {
	// Occurrence is where the image is written.
	Occurrence Occurrence
	// Err is the cause.
	Err error
}

// Error returns "file:line: image: cause".
func (e *ImageError) Error() string {
	return fmt.Sprintf("%s:%d: %s: %v", e.Occurrence.File, e.Occurrence.Line, e.Occurrence.Image, e.Err)
}

// Unwrap returns the cause.
func (e *ImageError) Unwrap() error { return e.Err }

// PinnedFile is a file with the edits a pin makes to it.
type PinnedFile struct {
	// Path is the file.
	Path string
	// Old and New are its content before and after the pin.
	Old, New []byte
	// Edits are the rewritten references.
	Edits []Edit
}

// PinResult is what Pin resolved and rewrote.
type PinResult struct {
	// Files are the files with at least one edit.
	Files []PinnedFile
	// Resolved counts the distinct references asked of registries;
	// AlreadyPinned the occurrences that had a digest.
	Resolved, AlreadyPinned int
	// Skipped are occurrences that cannot be rewritten in place, with why.
	Skipped []Occurrence
	// Errors are the images that could not be resolved (*ImageError) and
	// the files that could not be rewritten.
	Errors []error
}

// Pin resolves the tag of every unpinned reference in files (each distinct
// reference once, up to the resolver's concurrency) and computes each
// file's pinned content: name:tag becomes name:tag@sha256:… (a kustomize
// images entry gets a digest: line), and nothing else changes. References that already carry a digest are left alone, so
// pinning twice changes nothing the second time. Pin writes nothing; see
// PinResult.Write.
func (r *Resolver) Pin(ctx context.Context, files []File) *PinResult {
	res := &PinResult{}
	refs := map[string]Reference{}
	var keys []string
	type todo struct {
		occ Occurrence
		key string
		ref Reference
	}
	perFile := make([][]todo, len(files))
	for i, f := range files {
		for _, o := range f.Occurrences {
			ref, err := r.Parse(o.Image)
			if err != nil {
				res.Errors = append(res.Errors, &ImageError{Occurrence: o, Err: err})
				continue
			}
			if ref.Digest != "" {
				res.AlreadyPinned++
				continue
			}
			if !o.Rewritable {
				res.Skipped = append(res.Skipped, o)
				continue
			}
			key := ref.TagRef().Name()
			if _, ok := refs[key]; !ok {
				refs[key] = ref
				keys = append(keys, key)
			}
			perFile[i] = append(perFile[i], todo{o, key, ref})
		}
	}
	res.Resolved = len(keys)
	digests := r.each(ctx, keys, func(ctx context.Context, key string) (string, error) {
		return r.Digest(ctx, refs[key])
	})
	for i, f := range files {
		var edits []Edit
		seen := map[[2]int]bool{} // a YAML anchor is rewritten once for all its aliases
		for _, t := range perFile[i] {
			at := [2]int{t.occ.Line, t.occ.Column}
			if seen[at] {
				continue
			}
			seen[at] = true
			out := digests[t.key]
			if out.err != nil {
				res.Errors = append(res.Errors, &ImageError{Occurrence: t.occ, Err: out.err})
				continue
			}
			if t.occ.Source == SourceKustomize {
				edits = append(edits, Edit{Line: t.occ.insertAfter, InsertAfter: true, New: t.occ.indent + "digest: " + out.digest})
				continue
			}
			textRef, err := ParseReference(t.occ.Text)
			if err != nil { // the text is an ARG default that parsed as the image
				textRef = t.ref
			}
			edits = append(edits, Edit{Line: t.occ.Line, Column: t.occ.Column, Old: t.occ.Text, New: textRef.Pinned(out.digest)})
		}
		if len(edits) == 0 {
			continue
		}
		pinned, err := Rewrite(f.data, edits)
		if err != nil {
			res.Errors = append(res.Errors, &InputError{Path: f.Path, Err: err})
			continue
		}
		res.Files = append(res.Files, PinnedFile{Path: f.Path, Old: f.data, New: pinned, Edits: edits})
	}
	return res
}

// Write replaces each changed file atomically (WriteFileAtomic) and returns
// the files it could not write.
func (p *PinResult) Write() []error {
	var errs []error
	for _, f := range p.Files {
		if err := WriteFileAtomic(f.Path, f.New); err != nil {
			errs = append(errs, err)
		}
	}
	return errs
}

// WriteDiff prints the unified diff of every changed file.
func (p *PinResult) WriteDiff(w io.Writer) error {
	for _, f := range p.Files {
		if err := WriteUnifiedDiff(w, f.Path, f.Old, f.New); err != nil {
			return err
		}
	}
	return nil
}
