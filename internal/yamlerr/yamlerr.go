// Package yamlerr reads the line out of a syntax error from the yaml
// package (go.yaml.in/yaml/v3), for messages that name file and line.
package yamlerr

import (
	"regexp"
	"strconv"
	"strings"
)

// lineRe finds the line in a syntax error from the yaml package.
var lineRe = regexp.MustCompile(`^yaml: line (\d+): (.*)$`)

// Line returns the 1-based line of a yaml syntax error and its message
// without the "yaml: line N: " prefix; ok is false when err names no line.
func Line(err error) (line int, msg string, ok bool) {
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
