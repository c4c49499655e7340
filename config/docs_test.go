package config

import (
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
)

// TestEveryKeyIsDocumented checks that docs/configuration.md names every key
// of the file, and has a heading per top-level section.
func TestEveryKeyIsDocumented(t *testing.T) {
	t.Parallel()
	data, err := os.ReadFile(filepath.Join("..", "docs", "configuration.md"))
	if err != nil {
		t.Skipf("docs/configuration.md: %v", err)
	}
	doc := string(data)
	for _, section := range structFields(reflect.TypeFor[Config]()).keys {
		if !strings.Contains(doc, "## `"+section+"`") {
			t.Errorf("docs/configuration.md has no heading for section %q", section)
		}
	}
	seen := map[reflect.Type]bool{}
	var walk func(t reflect.Type, path string)
	walk = func(typ reflect.Type, path string) {
		for typ.Kind() == reflect.Pointer || typ.Kind() == reflect.Slice || typ.Kind() == reflect.Map {
			typ = typ.Elem()
		}
		if typ.Kind() != reflect.Struct || seen[typ] {
			return
		}
		seen[typ] = true
		fs := structFields(typ)
		for _, key := range fs.keys {
			if !strings.Contains(doc, "`"+key+"`") && !strings.Contains(doc, "."+key+"`") {
				t.Errorf("docs/configuration.md does not document %s", join(path, key))
			}
			walk(typ.FieldByIndex(fs.byKey[key]).Type, join(path, key))
		}
	}
	walk(reflect.TypeFor[Config](), "")
}
