package provenance

import (
	"strings"
	"testing"
)

// TestProjectDeployFilesPass runs `flywheel images check deploy/` on the
// project's own deployment files: they are held to the rule they enforce.
func TestProjectDeployFilesPass(t *testing.T) {
	t.Parallel()
	files, errs := Scan([]string{"../deploy"})
	if len(errs) > 0 {
		t.Fatal(errs)
	}
	r := Check(files, DefaultPolicy())
	var out strings.Builder
	_ = r.WriteText(&out)
	if r.ExitCode() != 0 {
		t.Fatalf("flywheel images check deploy/ fails:\n%s", out.String())
	}
	// The check must have seen the images: the Deployment's, and the
	// Dockerfile's builder and runtime bases.
	bySource := map[Source]int{}
	for _, f := range files {
		for _, o := range f.Occurrences {
			bySource[o.Source]++
			if o.Source == SourceDockerfile {
				ref, err := ParseReference(o.Image)
				if err != nil || ref.Digest == "" {
					t.Errorf("%s:%d: base image %q is not pinned by digest", o.File, o.Line, o.Image)
				}
			}
		}
	}
	if bySource[SourceKubernetes] < 1 || bySource[SourceDockerfile] != 2 {
		t.Errorf("images found by source: %v; want the Deployment's and two Dockerfile bases", bySource)
	}
}
