package provenance

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"sort"
	"strings"
)

// InputError is a file that could not be read or parsed. Scan reports it
// and goes on with the other files.
type InputError struct {
	// Path is the file.
	Path string
	// Line is where parsing failed, or 0.
	Line int
	// Err is the cause.
	Err error
}

// Error returns "path:line: cause" (or "path: cause").
func (e *InputError) Error() string {
	if e.Line > 0 {
		return fmt.Sprintf("%s:%d: %v", e.Path, e.Line, e.Err)
	}
	return fmt.Sprintf("%s: %v", e.Path, e.Err)
}

// Unwrap returns the cause.
func (e *InputError) Unwrap() error { return e.Err }

// Kind is the format a file is read as.
type Kind int

// The formats Scan reads.
const (
	// KindUnknown is a file a directory walk skips.
	KindUnknown Kind = iota
	// KindYAML is Kubernetes, Helm output, compose or kustomization YAML.
	KindYAML
	// KindDockerfile is a Dockerfile or Containerfile.
	KindDockerfile
)

// KindOf classifies a file by its name.
func KindOf(path string) Kind {
	base := strings.ToLower(filepath.Base(path))
	switch {
	case strings.HasSuffix(base, ".yaml"), strings.HasSuffix(base, ".yml"):
		return KindYAML
	case strings.HasSuffix(base, ".dockerignore"):
		return KindUnknown
	case base == "dockerfile", base == "containerfile",
		strings.HasPrefix(base, "dockerfile."), strings.HasPrefix(base, "containerfile."),
		strings.HasSuffix(base, ".dockerfile"), strings.HasSuffix(base, ".containerfile"):
		return KindDockerfile
	}
	return KindUnknown
}

// skipDir reports directories a walk does not enter.
func skipDir(name string) bool {
	return name == "node_modules" || name == "vendor" || (len(name) > 1 && name[0] == '.')
}

// Scan reads every path (a file, or a directory walked for YAML files and
// Dockerfiles) and returns the files with their image references, in path
// order. Files that could not be read or parsed are returned as
// *InputError values; the others are still scanned.
func Scan(paths []string) ([]File, []error) {
	var files []File
	var errs []error
	for _, p := range paths {
		info, err := os.Stat(p)
		if err != nil {
			errs = append(errs, &InputError{Path: p, Err: unwrapPathError(err)})
			continue
		}
		if !info.IsDir() {
			f, err := ScanFile(p, KindOf(p))
			files, errs = collect(files, errs, f, err)
			continue
		}
		var found []string
		werr := filepath.WalkDir(p, func(path string, d fs.DirEntry, err error) error {
			if err != nil {
				errs = append(errs, &InputError{Path: path, Err: unwrapPathError(err)})
				return nil
			}
			if d.IsDir() {
				if path != p && skipDir(d.Name()) {
					return filepath.SkipDir
				}
				return nil
			}
			if d.Type().IsRegular() && KindOf(path) != KindUnknown {
				found = append(found, path)
			}
			return nil
		})
		if werr != nil {
			errs = append(errs, &InputError{Path: p, Err: werr})
		}
		sort.Strings(found)
		for _, path := range found {
			f, err := ScanFile(path, KindOf(path))
			files, errs = collect(files, errs, f, err)
		}
	}
	return files, errs
}

func collect(files []File, errs []error, f File, err error) ([]File, []error) {
	if err != nil {
		return files, append(errs, err)
	}
	return append(files, f), errs
}

// ScanFile reads one file as kind; KindUnknown sniffs the content (a FROM
// line makes it a Dockerfile, anything else is read as YAML).
func ScanFile(path string, kind Kind) (File, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return File{}, &InputError{Path: path, Err: unwrapPathError(err)}
	}
	return ScanBytes(path, kind, data)
}

// ScanBytes finds the image references in data, read as kind.
func ScanBytes(path string, kind Kind, data []byte) (File, error) {
	if kind == KindUnknown {
		kind = sniff(data)
	}
	var occ []Occurrence
	var err error
	if kind == KindDockerfile {
		occ, err = findDockerfile(path, data)
	} else {
		occ, err = findYAML(path, data)
	}
	if err != nil {
		return File{}, err
	}
	return File{Path: path, Occurrences: occ, data: data}, nil
}

func sniff(data []byte) Kind {
	for _, line := range strings.Split(string(data), "\n") {
		t := strings.TrimSpace(line)
		if t == "" || strings.HasPrefix(t, "#") {
			continue
		}
		word, _, _ := strings.Cut(t, " ")
		switch strings.ToUpper(word) {
		case "FROM", "ARG":
			return KindDockerfile
		}
		return KindYAML
	}
	return KindYAML
}

func unwrapPathError(err error) error {
	var pe *fs.PathError
	if errors.As(err, &pe) {
		return pe.Err
	}
	return err
}
