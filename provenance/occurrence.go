package provenance

// Source says what kind of file an image reference came from.
type Source string

// The sources the finders know.
const (
	// SourceKubernetes is a Kubernetes object (Helm output included).
	SourceKubernetes Source = "kubernetes"
	// SourceCompose is a docker-compose service.
	SourceCompose Source = "compose"
	// SourceKustomize is a kustomization images: entry.
	SourceKustomize Source = "kustomize"
	// SourceDockerfile is a Dockerfile FROM or --from.
	SourceDockerfile Source = "dockerfile"
)

// Occurrence is one image reference found in a file.
type Occurrence struct {
	// File is the path as given to Scan.
	File string
	// Line and Column locate the reference text (1-based); Column points
	// at its first character, inside any quotes.
	Line, Column int
	// Text is the reference exactly as written at Line:Column, before any
	// ARG substitution. It is what a pin rewrites.
	Text string
	// Image is the reference after substitution (equal to Text unless a
	// Dockerfile ARG was expanded).
	Image string
	// Source is the kind of file.
	Source Source
	// Where names the place in the file, such as
	// "Deployment/flywheel container flywheel" or "service web".
	Where string
	// PullPolicy is the pull policy written next to the reference
	// (Kubernetes imagePullPolicy, compose pull_policy normalised to
	// Always, IfNotPresent or Never), or "".
	PullPolicy string
	// Rewritable is false when the text cannot be pinned in place (it is
	// assembled from several ARGs, or a kustomize entry).
	Rewritable bool
	// Note explains why an occurrence is not rewritable.
	Note string

	// insertAfter and indent place the digest: line a pin adds to a
	// kustomize images entry.
	insertAfter int
	indent      string
}

// File is a scanned file and the references in it.
type File struct {
	// Path is the path as given or found by the walk.
	Path string
	// Occurrences are in file order.
	Occurrences []Occurrence

	data []byte // the content scanned, which Pin rewrites
}
