package config

import (
	"fmt"
	"sort"
	"strings"
)

// Error is one problem found in a configuration file.
type Error struct {
	// File is the file name given to Load or Parse.
	File string
	// Line is the 1-based line of the offending key or item; 0 when unknown.
	Line int
	// Column is the 1-based column of the offending key or item; 0 when
	// unknown. Error leaves it out; it orders problems within a line.
	Column int
	// Path is the key path, like backends[1].breaker.failure_rate; empty for
	// a problem with the file as a whole.
	Path string
	// Msg says what is wrong.
	Msg string
}

// Error formats the problem as "file:line: path: message", leaving out the
// parts that are unknown.
func (e *Error) Error() string {
	var b strings.Builder
	switch {
	case e.File != "" && e.Line > 0:
		fmt.Fprintf(&b, "%s:%d: ", e.File, e.Line)
	case e.File != "":
		fmt.Fprintf(&b, "%s: ", e.File)
	case e.Line > 0:
		fmt.Fprintf(&b, "line %d: ", e.Line)
	}
	if e.Path != "" {
		b.WriteString(e.Path)
		b.WriteString(": ")
	}
	b.WriteString(e.Msg)
	return b.String()
}

// Errors is every problem found in a configuration, sorted by line. Load,
// Parse and Config.Validate return it as their error; errors.As finds each
// *Error in it.
type Errors []*Error

// Error returns the problems one per line.
func (es Errors) Error() string {
	lines := make([]string, len(es))
	for i, e := range es {
		lines[i] = e.Error()
	}
	return strings.Join(lines, "\n")
}

// Unwrap returns the problems for errors.Is and errors.As.
func (es Errors) Unwrap() []error {
	out := make([]error, len(es))
	for i, e := range es {
		out[i] = e
	}
	return out
}

// sorted returns the problems sorted by line then column, keeping the order
// in which they were found within a position, with exact repeats removed.
func (es Errors) sorted() Errors {
	out := make(Errors, 0, len(es))
	seen := make(map[string]bool, len(es))
	for _, e := range es {
		if s := e.Error(); !seen[s] {
			seen[s] = true
			out = append(out, e)
		}
	}
	sort.SliceStable(out, func(i, j int) bool {
		if out[i].Line != out[j].Line {
			return out[i].Line < out[j].Line
		}
		return out[i].Column < out[j].Column
	})
	return out
}
