package catalog

import (
	"errors"
	"fmt"
	"strings"
)

// DefaultQuant is the quantization assumed when a selection names none.
const DefaultQuant = "Q4_K_M"

// Selection names a model to run and how: what a configuration or a person
// asks for.
type Selection struct {
	// Model is a catalog ID, display name, alias ("qwen2.5-coder:7b") or
	// GGUF file name ("Qwen2.5-Coder-7B-Instruct-Q4_K_M.gguf").
	Model string `json:"model"`
	// Quant is the quantization; empty means the one in Model's name, else
	// DefaultQuant.
	Quant string `json:"quant,omitempty"`
	// Settings are the run settings (context, parallel, KV type, GPU layers).
	Settings Settings `json:"settings"`
	// Limits bound the memory the plan may use.
	Limits Limits `json:"limits"`
}

// Verdict says whether a selection will run on a machine.
type Verdict struct {
	// ModelID and Quant are the resolved model and quantization.
	ModelID string `json:"model"`
	Quant   string `json:"quant"`
	// Fits is true when the placement fits every memory.
	Fits bool `json:"fits"`
	// Reason says why it does not fit, with the numbers.
	Reason string `json:"reason,omitempty"`
	// Estimate and Placement are the numbers behind the verdict.
	Estimate  Estimate  `json:"estimate"`
	Placement Placement `json:"placement"`
}

// ErrUnknownModel is wrapped by Validate for a model not in the catalog.
var ErrUnknownModel = errors.New("model not in the catalog")

// Validate says whether the selected model will run on h and, when not,
// why. It fails only for a model or quantization it does not know, or
// settings that make no sense.
func (c *Catalog) Validate(sel Selection, h Hardware) (Verdict, error) {
	m, q, hasQuant, ok := c.Lookup(sel.Model)
	if !ok {
		return Verdict{}, fmt.Errorf("%q: %w", sel.Model, ErrUnknownModel)
	}
	switch {
	case sel.Quant != "":
		var known bool
		if q, known = LookupQuant(sel.Quant); !known {
			return Verdict{}, fmt.Errorf("unknown quantization %q", sel.Quant)
		}
	case !hasQuant:
		q, _ = LookupQuant(DefaultQuant)
	}
	e, err := EstimateMemory(m.Architecture, m.Architecture.WeightsFor(q), sel.Settings)
	if err != nil {
		return Verdict{}, fmt.Errorf("%s: %w", m.ID, err)
	}
	p := PlanPlacement(e, h, sel.Limits)
	return Verdict{ModelID: m.ID, Quant: q.Name, Fits: p.Fits, Reason: p.Reason, Estimate: e, Placement: p}, nil
}

// Validate checks a selection against the embedded catalog.
func Validate(sel Selection, h Hardware) (Verdict, error) { return Default().Validate(sel, h) }

// PreflightWarning is a configured model that is not expected to run.
type PreflightWarning struct {
	// Model is the name as configured.
	Model string `json:"model"`
	// Message says why, in one line.
	Message string `json:"message"`
}

// Preflight checks the models a configuration serves locally and returns a
// warning for each one expected not to fit h. Names the catalog does not
// know are skipped: the catalog cannot judge them.
func (c *Catalog) Preflight(models []string, h Hardware, s Settings) []PreflightWarning {
	var out []PreflightWarning
	seen := map[string]bool{}
	for _, name := range models {
		if seen[name] || strings.TrimSpace(name) == "" {
			continue
		}
		seen[name] = true
		v, err := c.Validate(Selection{Model: name, Settings: s}, h)
		if err != nil || v.Fits {
			continue
		}
		out = append(out, PreflightWarning{Model: name, Message: fmt.Sprintf(
			"%s %s at %d context is not expected to fit this %s machine: %s",
			v.ModelID, v.Quant, v.Estimate.Settings.Context, Classify(h), v.Reason)})
	}
	return out
}
