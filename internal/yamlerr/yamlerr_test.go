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
