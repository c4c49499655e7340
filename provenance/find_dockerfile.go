package provenance

import (
	"fmt"
	"regexp"
	"strings"
)

// physical maps a stretch of a logical Dockerfile line back to the file.
type physical struct {
	offset int // where the stretch starts in the logical line
	line   int // 1-based file line
	col    int // 0-based column of the stretch in that line
}

// logicalLine is an instruction with its continuation lines joined.
type logicalLine struct {
	text  string
	parts []physical
}

// position maps an offset in the logical line to a 1-based line and column.
func (l logicalLine) position(off int) (line, col int) {
	p := l.parts[0]
	for _, q := range l.parts[1:] {
		if q.offset > off {
			break
		}
		p = q
	}
	return p.line, p.col + off - p.offset + 1
}

// logicalLines joins backslash continuations and drops comment lines.
func logicalLines(data []byte) []logicalLine {
	var out []logicalLine
	var cur *logicalLine
	for i, raw := range strings.Split(string(data), "\n") {
		raw = strings.TrimSuffix(raw, "\r")
		trimmed := strings.TrimSpace(raw)
		if strings.HasPrefix(trimmed, "#") || (cur == nil && trimmed == "") {
			continue
		}
		if cur == nil {
			out = append(out, logicalLine{})
			cur = &out[len(out)-1]
		}
		body := raw
		cont := strings.HasSuffix(strings.TrimRight(raw, " \t"), `\`)
		if cont {
			body = strings.TrimRight(raw, " \t")
			body = body[:len(body)-1]
		}
		cur.parts = append(cur.parts, physical{offset: len(cur.text), line: i + 1, col: 0})
		cur.text += body
		if !cont {
			cur = nil
		} else {
			cur.text += " "
		}
	}
	return out
}

// arg is a Dockerfile ARG with its default value and where it is written.
type arg struct {
	value      string
	has        bool
	line, col  int
	rewritable bool
}

var varRef = regexp.MustCompile(`\$(?:\{([A-Za-z_][A-Za-z0-9_]*)(?:(:?[-+])([^}]*))?\}|([A-Za-z_][A-Za-z0-9_]*))`)

// expand substitutes ARG values as BuildKit does for FROM lines: $X, ${X},
// ${X:-default} and ${X:+alternative}. It returns the names that had no
// value.
func expand(s string, args map[string]arg) (string, []string) {
	var missing []string
	out := varRef.ReplaceAllStringFunc(s, func(m string) string {
		sm := varRef.FindStringSubmatch(m)
		key, op, word := sm[1], sm[2], sm[3]
		if key == "" {
			key = sm[4]
		}
		a, ok := args[key]
		set := ok && a.has
		switch op {
		case ":-", "-":
			if !set || (op == ":-" && a.value == "") {
				return word
			}
		case ":+", "+":
			if set && (op == "+" || a.value != "") {
				return word
			}
			return ""
		}
		if !set {
			missing = append(missing, key)
			return ""
		}
		return a.value
	})
	return out, missing
}

// field is a white-space separated word of a logical line.
type field struct {
	text string
	off  int
}

func fields(s string) []field {
	var out []field
	start := -1
	for i := 0; i <= len(s); i++ {
		if i == len(s) || s[i] == ' ' || s[i] == '\t' {
			if start >= 0 {
				out = append(out, field{s[start:i], start})
				start = -1
			}
		} else if start < 0 {
			start = i
		}
	}
	return out
}

// findDockerfile finds FROM images (after ARG substitution; stage names and
// scratch are not images) and COPY/RUN --from=image references.
func findDockerfile(path string, data []byte) ([]Occurrence, error) {
	global := map[string]arg{}
	stages := map[string]bool{}
	var out []Occurrence
	seenFrom := false
	for _, l := range logicalLines(data) {
		f := fields(l.text)
		if len(f) == 0 {
			continue
		}
		switch strings.ToUpper(f[0].text) {
		case "ARG":
			if seenFrom {
				continue // stage ARGs do not reach FROM lines
			}
			for _, w := range f[1:] {
				k, v, has := strings.Cut(w.text, "=")
				v = strings.Trim(v, `"'`)
				quoted := len(w.text) > len(k)+1 && (w.text[len(k)+1] == '"' || w.text[len(k)+1] == '\'')
				expanded, _ := expand(v, global)
				a := arg{value: expanded, has: has, rewritable: has && !strings.Contains(v, "$")}
				a.line, a.col = l.position(w.off + len(k) + 1)
				if quoted {
					a.col++
				}
				global[k] = a
			}
		case "FROM":
			seenFrom = true
			words := f[1:]
			for len(words) > 0 && strings.HasPrefix(words[0].text, "--") {
				words = words[1:]
			}
			if len(words) == 0 {
				line, _ := l.position(0)
				return nil, &InputError{Path: path, Line: line, Err: fmt.Errorf("FROM without an image")}
			}
			img := words[0]
			o, ok, err := fromOccurrence(path, l, img, global, stages)
			if err != nil {
				return nil, err
			}
			if len(words) >= 3 && strings.EqualFold(words[1].text, "as") {
				stages[strings.ToLower(words[2].text)] = true
				o.Where = "stage " + words[2].text
			}
			if ok {
				out = append(out, o)
			}
		case "COPY", "RUN", "ADD":
			for _, w := range f[1:] {
				if !strings.HasPrefix(w.text, "--") {
					break
				}
				v, ok := strings.CutPrefix(w.text, "--from=")
				if !ok || strings.Contains(v, "$") || stages[strings.ToLower(v)] || isStageIndex(v) {
					continue
				}
				line, col := l.position(w.off + len("--from="))
				out = append(out, Occurrence{File: path, Line: line, Column: col, Text: v, Image: v,
					Source: SourceDockerfile, Where: strings.ToUpper(f[0].text) + " --from", Rewritable: true})
			}
		}
	}
	return out, nil
}

func isStageIndex(s string) bool {
	for _, c := range s {
		if c < '0' || c > '9' {
			return false
		}
	}
	return s != ""
}

// fromOccurrence resolves a FROM image word; ok is false for scratch and
// earlier stages.
func fromOccurrence(path string, l logicalLine, img field, global map[string]arg, stages map[string]bool) (Occurrence, bool, error) {
	line, col := l.position(img.off)
	o := Occurrence{File: path, Line: line, Column: col, Text: img.text, Image: img.text,
		Source: SourceDockerfile, Where: "FROM", Rewritable: true}
	if strings.Contains(img.text, "$") {
		expanded, missing := expand(img.text, global)
		if len(missing) > 0 {
			return o, false, &InputError{Path: path, Line: line,
				Err: fmt.Errorf("FROM %s: ARG %s has no default value", img.text, strings.Join(missing, ", "))}
		}
		o.Image = expanded
		o.Rewritable, o.Note = false, "image assembled from ARG values"
		if m := varRef.FindStringSubmatch(img.text); m != nil && m[0] == img.text && m[2] == "" {
			key := m[1] + m[4]
			if a := global[key]; a.rewritable && a.value == expanded {
				// FROM ${BASE}: the ARG default is the text to pin.
				o.Line, o.Column, o.Text, o.Rewritable, o.Note = a.line, a.col, a.value, true, ""
			}
		}
	}
	if strings.EqualFold(o.Image, "scratch") || stages[strings.ToLower(o.Image)] {
		return o, false, nil
	}
	return o, true, nil
}
