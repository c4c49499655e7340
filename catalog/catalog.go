package catalog

import (
	"bytes"
	_ "embed"
	"errors"
	"fmt"
	"os"
	"slices"
	"strings"

	"go.yaml.in/yaml/v3"
)

// SchemaVersion is the catalog file format this package reads.
const SchemaVersion = 1

//go:embed models.yaml
var embeddedCatalog []byte

// Catalog is a list of models with the quantizations to consider for each.
type Catalog struct {
	// Version is the schema version of the file (SchemaVersion).
	Version int `yaml:"version" json:"version"`
	// Revision names the data revision, like "2025.06".
	Revision string `yaml:"revision" json:"revision"`
	// DefaultQuants are the quantizations of a model that lists none.
	DefaultQuants []string `yaml:"default_quants" json:"default_quants"`
	// Models are the entries, in file order.
	Models []Model `yaml:"models" json:"models"`
}

// Default returns the embedded catalog. Each call returns a fresh copy that
// the caller may change.
func Default() *Catalog {
	c, err := Parse(embeddedCatalog, "models.yaml")
	if err != nil {
		panic("catalog: embedded models.yaml is invalid: " + err.Error())
	}
	return c
}

// LoadFile reads a catalog file, for example a user's own models to merge
// into the default catalog.
func LoadFile(path string) (*Catalog, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	return Parse(data, path)
}

// Parse reads a catalog in YAML. Unknown keys are errors, and every error
// names the file and line. name is used in error messages only.
func Parse(data []byte, name string) (*Catalog, error) {
	dec := yaml.NewDecoder(bytes.NewReader(data))
	dec.KnownFields(true)
	var c Catalog
	if err := dec.Decode(&c); err != nil {
		return nil, fmt.Errorf("%s: %w", name, err)
	}
	if c.Version != SchemaVersion {
		return nil, fmt.Errorf("%s: version %d is not supported (want %d)", name, c.Version, SchemaVersion)
	}
	var root yaml.Node
	_ = yaml.Unmarshal(data, &root) // decoded once already; only for line numbers
	lines := modelLines(&root)

	var errs []error
	for _, q := range c.DefaultQuants {
		if _, ok := LookupQuant(q); !ok {
			errs = append(errs, fmt.Errorf("%s: default_quants: unknown quantization %q", name, q))
		}
	}
	seen := map[string]bool{}
	for i, m := range c.Models {
		where := fmt.Sprintf("%s:%d: model %q", name, lines[i], m.ID)
		if err := m.validate(); err != nil {
			errs = append(errs, fmt.Errorf("%s: %w", where, err))
		}
		if len(m.Quants) == 0 && len(c.DefaultQuants) == 0 {
			errs = append(errs, fmt.Errorf("%s: no quants and no default_quants", where))
		}
		if seen[m.ID] {
			errs = append(errs, fmt.Errorf("%s: duplicate id", where))
		}
		seen[m.ID] = true
	}
	if err := errors.Join(errs...); err != nil {
		return nil, err
	}
	return &c, nil
}

// modelLines returns the line of each entry of the top-level models list.
func modelLines(root *yaml.Node) []int {
	var lines []int
	if root.Kind != yaml.DocumentNode || len(root.Content) == 0 {
		return lines
	}
	doc := root.Content[0]
	for i := 0; i+1 < len(doc.Content); i += 2 {
		if doc.Content[i].Value == "models" {
			for _, n := range doc.Content[i+1].Content {
				lines = append(lines, n.Line)
			}
		}
	}
	return lines
}

// Merge returns a catalog with the models of c and then those of o; a model
// of o with the ID of one in c replaces it in place. o's default
// quantizations apply to o's models only.
func (c *Catalog) Merge(o *Catalog) *Catalog {
	out := &Catalog{Version: c.Version, Revision: c.Revision, DefaultQuants: c.DefaultQuants}
	if o.Revision != "" && o.Revision != c.Revision {
		out.Revision = c.Revision + "+" + o.Revision
	}
	out.Models = append(out.Models, c.Models...)
	for _, m := range o.Models {
		if len(m.Quants) == 0 {
			m.Quants = o.DefaultQuants
		}
		if i := slices.IndexFunc(out.Models, func(x Model) bool { return x.ID == m.ID }); i >= 0 {
			out.Models[i] = m
		} else {
			out.Models = append(out.Models, m)
		}
	}
	return out
}

// Model returns the model with the given ID.
func (c *Catalog) Model(id string) (Model, bool) {
	for _, m := range c.Models {
		if m.ID == id {
			return m, true
		}
	}
	return Model{}, false
}

// QuantsOf returns the quantizations to consider for a model.
func (c *Catalog) QuantsOf(m Model) []Quant {
	names := m.Quants
	if len(names) == 0 {
		names = c.DefaultQuants
	}
	out := make([]Quant, 0, len(names))
	for _, n := range names {
		if q, ok := LookupQuant(n); ok {
			out = append(out, q)
		}
	}
	return out
}

// Lookup finds a model by a name as people and servers write it: the ID,
// the display name, an alias (an Ollama tag like "qwen2.5-coder:7b"), or a
// GGUF file name ("Qwen2.5-Coder-7B-Instruct-Q4_K_M.gguf"). A quantization
// in the name is returned too; ok is false when no model matches.
func (c *Catalog) Lookup(name string) (m Model, q Quant, hasQuant bool, ok bool) {
	n := strings.ToLower(strings.TrimSpace(name))
	if i := strings.LastIndexAny(n, `/\`); i >= 0 {
		n = n[i+1:]
	}
	n = strings.TrimSuffix(n, ".gguf")
	n = strings.TrimSuffix(n, "-gguf")
	stem := n
	for _, cand := range quantTable {
		qn := strings.ToLower(cand.Name)
		for _, sep := range []string{"-", ".", "_", ":"} {
			if strings.HasSuffix(n, sep+qn) {
				stem, q, hasQuant = strings.TrimSuffix(n, sep+qn), cand, true
				break
			}
		}
		if hasQuant {
			break
		}
	}
	for _, cm := range c.Models {
		if matchesName(cm, stem) || (hasQuant && matchesName(cm, n)) {
			return cm, q, hasQuant, true
		}
	}
	return Model{}, Quant{}, false, false
}

func matchesName(m Model, n string) bool {
	if n == m.ID || n == strings.ToLower(m.Name) {
		return true
	}
	for _, a := range m.Aliases {
		if n == strings.ToLower(a) {
			return true
		}
	}
	return false
}
