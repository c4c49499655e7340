package provenance

import (
	"bytes"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"unicode/utf8"
)

// Edit replaces the text Old at Line:Column (1-based) with New, or, with
// InsertAfter, adds New as a line of its own after Line.
type Edit struct {
	Line, Column int
	Old, New     string
	// InsertAfter makes New a new line after Line (Column and Old unused).
	InsertAfter bool
}

// Rewrite applies edits to data and changes nothing else: line endings,
// comments, order and indentation stay as they were. Each edit's Old must be
// found at its place (its column counted in bytes or in characters, or
// otherwise once on its line).
func Rewrite(data []byte, edits []Edit) ([]byte, error) {
	lines := bytes.SplitAfter(data, []byte("\n"))
	sorted := append([]Edit(nil), edits...)
	// Right to left within a line, so earlier columns stay valid; an
	// insertion (column 0) comes after the line's replacements.
	sort.SliceStable(sorted, func(i, j int) bool {
		if sorted[i].Line != sorted[j].Line {
			return sorted[i].Line < sorted[j].Line
		}
		return sorted[i].Column > sorted[j].Column
	})
	for _, e := range sorted {
		if e.Line < 1 || e.Line > len(lines) {
			return nil, fmt.Errorf("line %d: out of range (the file has %d lines)", e.Line, len(lines))
		}
		line := lines[e.Line-1]
		if e.InsertAfter {
			ending := []byte("\n")
			if bytes.HasSuffix(line, []byte("\r\n")) {
				ending = []byte("\r\n")
			}
			b := append([]byte(nil), line...)
			if !bytes.HasSuffix(b, []byte("\n")) {
				b = append(b, ending...)
			}
			lines[e.Line-1] = append(append(b, e.New...), ending...)
			continue
		}
		at := locate(line, e)
		if at < 0 {
			return nil, fmt.Errorf("line %d: %q is not at column %d", e.Line, e.Old, e.Column)
		}
		var b []byte
		b = append(b, line[:at]...)
		b = append(b, e.New...)
		b = append(b, line[at+len(e.Old):]...)
		lines[e.Line-1] = b
	}
	return bytes.Join(lines, nil), nil
}

// locate returns the byte offset of e.Old in line, or -1.
func locate(line []byte, e Edit) int {
	old := []byte(e.Old)
	if at := e.Column - 1; at >= 0 && at+len(old) <= len(line) && bytes.Equal(line[at:at+len(old)], old) {
		return at
	}
	// YAML columns count characters.
	at, n := 0, 1
	for at < len(line) && n < e.Column {
		_, size := utf8.DecodeRune(line[at:])
		at += size
		n++
	}
	if n == e.Column && bytes.HasPrefix(line[at:], old) {
		return at
	}
	if bytes.Count(line, old) == 1 {
		return bytes.Index(line, old)
	}
	return -1
}

// WriteFileAtomic replaces path with data through a temporary file in the
// same directory and a rename, keeping the file's mode: a reader sees the
// old content or the new, never half of it.
func WriteFileAtomic(path string, data []byte) error {
	mode := os.FileMode(0o644)
	if info, err := os.Stat(path); err == nil {
		mode = info.Mode().Perm()
	}
	tmp, err := os.CreateTemp(filepath.Dir(path), "."+filepath.Base(path)+".flywheel-*")
	if err != nil {
		return err
	}
	name := tmp.Name()
	fail := func(err error) error {
		_ = tmp.Close()
		_ = os.Remove(name)
		return fmt.Errorf("write %s: %w", path, err)
	}
	if _, err := tmp.Write(data); err != nil {
		return fail(err)
	}
	if err := tmp.Chmod(mode); err != nil {
		return fail(err)
	}
	if err := tmp.Sync(); err != nil {
		return fail(err)
	}
	if err := tmp.Close(); err != nil {
		_ = os.Remove(name)
		return fmt.Errorf("write %s: %w", path, err)
	}
	if err := os.Rename(name, path); err != nil {
		_ = os.Remove(name)
		return fmt.Errorf("write %s: %w", path, err)
	}
	return nil
}
