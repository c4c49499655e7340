package config

import (
	"bytes"
	"errors"
	"io"
	"os"
	"reflect"
	"strings"

	"github.com/flywheel-stack/flywheel/internal/yamlerr"
	"go.yaml.in/yaml/v3"
)

// Load reads and parses the configuration file at path. Errors name the file
// as path was given.
func Load(path string) (*Config, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	return Parse(path, data)
}

// Parse parses a configuration file's contents; name is the file name used
// in errors. It returns the configuration with defaults filled in, or nil
// and Errors listing every problem, sorted by line.
func Parse(name string, data []byte) (*Config, error) {
	r := newReport(name)
	r.parsed = true
	cfg := Default()
	root, ok := parseDocument(r, data)
	if !ok {
		return nil, r.result()
	}
	if root != nil && !isNull(root) {
		if resolve(root).Kind != yaml.MappingNode {
			r.add(posOf(root), "", "the top level must be a mapping of sections (server:, backends:, ...), got %s", describe(root))
			return nil, r.result()
		}
		d := &decoder{r: r}
		d.decode(root, reflect.ValueOf(cfg).Elem(), "", posOf(root))
	}
	check(cfg, r)
	if err := r.result(); err != nil {
		return nil, err
	}
	return cfg, nil
}

// parseDocument parses data into its one YAML document's root node; nil for
// an empty file. It reports syntax errors and extra documents.
func parseDocument(r *report, data []byte) (*yaml.Node, bool) {
	dec := yaml.NewDecoder(bytes.NewReader(data))
	var doc yaml.Node
	if err := dec.Decode(&doc); err != nil {
		if errors.Is(err, io.EOF) {
			return nil, true
		}
		syntaxError(r, data, err)
		return nil, false
	}
	var extra yaml.Node
	switch err := dec.Decode(&extra); {
	case errors.Is(err, io.EOF):
	case err != nil:
		syntaxError(r, data, err)
		return nil, false
	default:
		r.add(posOf(&extra), "", "the file must hold one YAML document, found another")
		return nil, false
	}
	if doc.Kind == yaml.DocumentNode {
		if len(doc.Content) == 0 {
			return nil, true
		}
		return doc.Content[0], true
	}
	return &doc, true
}

// syntaxError reports an error from the yaml parser at the offending line.
func syntaxError(r *report, data []byte, err error) {
	if line, msg, ok := yamlerr.Locate(data, err); ok {
		r.add(pos{line: line}, "", "invalid YAML: %s", msg)
		return
	}
	r.add(pos{}, "", "invalid YAML: %s", strings.TrimPrefix(err.Error(), "yaml: "))
}
