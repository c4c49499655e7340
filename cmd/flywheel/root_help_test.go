package main

import (
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
)

// planned are the parts that do not exist yet; the help and the README may
// name them only after their "Planned, not built yet" mark.
var planned = []string{"A/B", "dataset", "experiment", "model monitoring", "continuous learning"}

// TestHelpPromisesOnlyWhatExists checks that `flywheel --help` and the
// README name the planned parts only as planned, and that the help names
// every command that exists.
func TestHelpPromisesOnlyWhatExists(t *testing.T) {
	root := newRootCommand()
	readme, err := os.ReadFile(filepath.Join("..", "..", "README.md"))
	if err != nil {
		t.Fatal(err)
	}
	for name, text := range map[string]string{"flywheel --help": root.Short + "\n" + root.Long, "README.md": string(readme)} {
		mark := strings.Index(text, "Planned, not built yet")
		if mark < 0 {
			t.Errorf("%s does not say what is planned", name)
			continue
		}
		for _, p := range planned {
			if i := strings.Index(strings.ToLower(text), strings.ToLower(p)); i >= 0 && i < mark {
				t.Errorf("%s names %q before its planned mark, as if it existed", name, p)
			}
		}
	}
	for _, c := range root.Commands() {
		if n := c.Name(); n != "version" && !regexp.MustCompile(`\b`+n+`\b`).MatchString(root.Long) {
			t.Errorf("flywheel --help does not say what %q is for", n)
		}
	}
}
