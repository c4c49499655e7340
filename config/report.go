package config

import (
	"fmt"
	"strconv"
	"strings"

	"go.yaml.in/yaml/v3"
)

// report collects what Parse learns about a file: the position of every key
// and list item that was set, of every key left empty ("url:"), the paths
// whose value could not be decoded, and the problems found so far.
// Config.Validate uses an empty one (no file, no lines).
type report struct {
	file string
	// parsed is true for a file: a key it did not set holds a default,
	// which adapts to the keys it set. In code every value counts as set.
	parsed bool
	lines  map[string]pos
	nulls  map[string]pos
	failed map[string]bool
	errs   Errors
}

func newReport(file string) *report {
	return &report{file: file, lines: map[string]pos{}, nulls: map[string]pos{}, failed: map[string]bool{}}
}

// pos is a position in the file; the zero pos is unknown.
type pos struct {
	line, col int
}

// posOf returns where n starts.
func posOf(n *yaml.Node) pos {
	return pos{n.Line, n.Column}
}

// add records a problem at a position.
func (r *report) add(at pos, path, format string, args ...any) {
	r.errs = append(r.errs, &Error{File: r.file, Line: at.line, Column: at.col, Path: path, Msg: fmt.Sprintf(format, args...)})
}

// fail records a problem with decoding the value at path; validation stays
// quiet about that path and everything under it.
func (r *report) fail(at pos, path, format string, args ...any) {
	r.failed[path] = true
	r.add(at, path, format, args...)
}

// has reports whether the file set the key or item at path.
func (r *report) has(path string) bool {
	_, ok := r.lines[path]
	return ok
}

// at returns the position of path or, when the file did not set it, of the
// key left empty or else of its nearest ancestor that the file set; the zero
// pos when none is known.
func (r *report) at(path string) pos {
	for {
		if p, ok := r.lines[path]; ok {
			return p
		}
		if p, ok := r.nulls[path]; ok {
			return p
		}
		if path == "" {
			return pos{}
		}
		path = parent(path)
	}
}

// suppressed reports whether path or one of its ancestors failed to decode.
func (r *report) suppressed(path string) bool {
	for {
		if r.failed[path] {
			return true
		}
		if path == "" {
			return false
		}
		path = parent(path)
	}
}

// result returns the problems sorted by line, or nil.
func (r *report) result() error {
	if len(r.errs) == 0 {
		return nil
	}
	return r.errs.sorted()
}

// parent returns the path one level up: "a.b[2]" → "a.b" → "a" → "".
func parent(path string) string {
	if i := strings.LastIndexAny(path, ".["); i >= 0 {
		return path[:i]
	}
	return ""
}

// join appends a key to a path.
func join(path, key string) string {
	if path == "" {
		return key
	}
	return path + "." + key
}

// index appends a list index to a path.
func index(path string, i int) string {
	return path + "[" + strconv.Itoa(i) + "]"
}
