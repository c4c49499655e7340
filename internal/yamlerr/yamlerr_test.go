package yamlerr

import (
	"errors"
	"testing"

	"go.yaml.in/yaml/v3"
)

func TestLine(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name, doc string
		line      int
		msg       string
	}{
		// Parser errors: 0-based in the yaml package, 1-based here.
		{"parser", "a: 1\nb: [1, 2\n", 2, "did not find expected ',' or ']'"},
		{"parser key", "a: 1\n- b\n", 2, "did not find expected key"},
		// A scanner error: the yaml package's line is already 1-based.
		{"scanner", "a:\n\tb: 1\n", 2, "found character that cannot start any token"},
	} {
		var n yaml.Node
		err := yaml.Unmarshal([]byte(tc.doc), &n)
		if err == nil {
			t.Fatalf("%s: no error", tc.name)
		}
		line, msg, ok := Line(err)
		if !ok || line != tc.line || msg != tc.msg {
			t.Errorf("%s: Line(%q) = %d, %q, %v; want %d, %q", tc.name, err, line, msg, ok, tc.line, tc.msg)
		}
	}
	if _, _, ok := Line(errors.New("yaml: unmarshal errors")); ok {
		t.Error("an error without a line gave one")
	}
}

// TestLocateIndentation checks that a key indented wrong is reported at its
// own line, not at the start of the block the yaml package names.
func TestLocateIndentation(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name, doc string
		line      int
		msg       string
	}{
		{"key under a list item, too little", "backends:\n  - name: a\n    kind: vllm\n   url: http://x\n", 4,
			"did not find expected '-' indicator (in the block that starts at line 2; check this line's indentation)"},
		{"key under a list item, at the dash", "server: {}\nbackends:\n  - name: a\n  kind: vllm\n", 4,
			"did not find expected '-' indicator (in the block that starts at line 3; check this line's indentation)"},
		{"nested key, too little", "a:\n  b:\n    c: 1\n   d: 2\n", 4,
			"did not find expected key (in the block that starts at line 2; check this line's indentation)"},
		{"after comments and blank lines", "a:\n  b: 1\n# comment\n\n   c: 2\n", 5,
			"did not find expected key (in the block that starts at line 2; check this line's indentation)"},
		{"no newline at the end", "a:\n  b: 1\n# c\n\n   c: 2", 5,
			"did not find expected key (in the block that starts at line 2; check this line's indentation)"},
		{"list item in a mapping", "x:\n  y:\n    - 1\n    - 2\n   - 3\n", 5,
			"did not find expected key (in the block that starts at line 2; check this line's indentation)"},
		{"in a later document", "a: 1\n---\nb:\n  c: 1\n d: 2\n", 5,
			"did not find expected key (in the block that starts at line 3; check this line's indentation)"},
		// Already at the offending line: unchanged.
		{"key dedented to the block's parent", "server:\n  listen: a\n auth: b\n", 3, "did not find expected key"},
		{"sequence item in a mapping", "server: {}\n- item\n", 2, "did not find expected key"},
		{"flow", "a: 1\nb: [1, 2\n\nc: 3\n", 2, "did not find expected ',' or ']'"},
		{"scanner", "a:\n\tb: 1\n", 2, "found character that cannot start any token"},
	} {
		err := decodeAll([]byte(tc.doc))
		if err == nil {
			t.Fatalf("%s: no error", tc.name)
		}
		line, msg, ok := Locate([]byte(tc.doc), err)
		if !ok || line != tc.line || msg != tc.msg {
			t.Errorf("%s: Locate(%q) = %d, %q, %v; want %d, %q", tc.name, err, line, msg, ok, tc.line, tc.msg)
		}
	}
	if _, _, ok := Locate(nil, nil); ok {
		t.Error("a nil error gave a line")
	}
}
