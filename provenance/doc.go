// Package provenance checks, pins and verifies the container images named in
// deployment files, so that what runs is an immutable, known build.
//
// It finds image references in Kubernetes YAML (multi-document, every
// workload kind, containers, initContainers and ephemeralContainers), Helm
// output, docker-compose files, kustomization images: entries and
// Dockerfiles (FROM, COPY --from, multi-stage, ARG substitution). References
// are parsed as the container tools parse them, with go-containerregistry's
// pkg/name: a registry host versus a Docker Hub namespace, the implicit
// library/, a port in the host, tag and digest together.
//
// Check reports references that can change under a running system (no tag,
// latest or another mutable tag, no digest when one is required, a mutable
// tag with a pull policy that hides or multiplies the change) with file and
// line. Pin resolves each tag to its digest through the registry API and
// rewrites name:tag into name:tag@sha256:… in place (adding a digest: line to
// a kustomize images entry), changing nothing else.
// Verify reports pinned digests that are gone and tags that have moved.
//
//	files, err := provenance.Scan([]string{"deploy/"})
//	report := provenance.Check(files, provenance.DefaultPolicy())
//	report.WriteText(os.Stdout)
package provenance
