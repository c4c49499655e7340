// Package yamlerr reads the line out of a syntax error from the yaml
// package (go.yaml.in/yaml/v3), for messages that name file and line.
package yamlerr

import (
	"bytes"
	"errors"
	"io"
	"regexp"
	"sort"
	"strconv"
	"strings"

	"go.yaml.in/yaml/v3"
)

// lineRe finds the line in a syntax error from the yaml package.
var lineRe = regexp.MustCompile(`^yaml: line (\d+): (.*)$`)

// Line returns the 1-based line of a yaml syntax error and its message
// without the "yaml: line N: " prefix; ok is false when err names no line.
// For a problem inside a block (a key indented too little or too much) the
// yaml package names the line where the block starts, not the offending
// one: Locate finds that one.
func Line(err error) (line int, msg string, ok bool) {
	if err == nil {
		return 0, "", false
	}
	m := lineRe.FindStringSubmatch(err.Error())
	if m == nil {
		return 0, "", false
	}
	line, _ = strconv.Atoi(m[1])
	if isParserProblem(m[2]) {
		line++ // the yaml package counts the parser's lines from 0
	}
	return line, m[2], true
}

// Locate is Line for an error from decoding data as a YAML stream: when the
// yaml package names the line where the enclosing block starts (its
// "context"), Locate finds the offending line, the first one whose addition
// raises the same error, and says in msg where the block starts.
func Locate(data []byte, err error) (line int, msg string, ok bool) {
	line, msg, ok = Line(err)
	if !ok || !isBlockProblem(msg) {
		return line, msg, ok
	}
	// ends[i] is where line i+1 ends. The parser reads the stream in
	// order, so once a prefix holds the offending line it fails as the
	// whole does, and a shorter one does not: a binary search finds it.
	var ends []int
	for i, b := range data {
		if b == '\n' {
			ends = append(ends, i+1)
		}
	}
	if len(ends) == 0 || ends[len(ends)-1] != len(data) {
		ends = append(ends, len(data))
	}
	if line < 1 || line > len(ends) {
		return line, msg, ok
	}
	want := err.Error()
	i := line - 1 + sort.Search(len(ends)-(line-1), func(j int) bool {
		e := decodeAll(data[:ends[line-1+j]])
		return e != nil && e.Error() == want
	})
	if i >= len(ends) || i+1 == line {
		return line, msg, ok
	}
	return i + 1, msg + " (in the block that starts at line " + strconv.Itoa(line) + "; check this line's indentation)", true
}

// isBlockProblem reports whether msg is a parser problem that the yaml
// package reports at the start of the enclosing block.
func isBlockProblem(msg string) bool {
	return msg == "did not find expected key" || msg == "did not find expected '-' indicator" ||
		msg == "did not find expected node content"
}

// decodeAll decodes every document of data and returns the first error.
func decodeAll(data []byte) error {
	dec := yaml.NewDecoder(bytes.NewReader(data))
	for {
		var n yaml.Node
		err := dec.Decode(&n)
		if errors.Is(err, io.EOF) {
			return nil
		}
		if err != nil {
			return err
		}
	}
}

// isParserProblem reports whether msg comes from the yaml package's parser
// rather than its scanner (see parserc.go): the parser's lines are 0-based.
func isParserProblem(msg string) bool {
	switch msg {
	case "found duplicate %TAG directive", "found duplicate %YAML directive",
		"found incompatible YAML document", "found undefined tag handle":
		return true
	}
	return strings.HasPrefix(msg, "did not find expected ")
}
