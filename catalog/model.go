package catalog

import (
	"errors"
	"fmt"
	"slices"
	"strings"
)

// The tags a model may carry.
const (
	TagChat      = "chat"
	TagCode      = "code"
	TagReasoning = "reasoning"
	TagEmbedding = "embedding"
	TagVision    = "vision"
)

// knownTags lists the tags in the order they are printed.
var knownTags = []string{TagChat, TagCode, TagReasoning, TagEmbedding, TagVision}

// Model is one catalog entry: a model people run locally as GGUF files.
type Model struct {
	// ID is the catalog key, lower case: "qwen2.5-coder-7b-instruct".
	ID string `yaml:"id" json:"id"`
	// Name is the display name: "Qwen2.5-Coder-7B-Instruct".
	Name string `yaml:"name" json:"name"`
	// Family groups releases: "Qwen2.5".
	Family string `yaml:"family" json:"family"`
	// Repo is a Hugging Face repository with GGUF files of the model.
	Repo string `yaml:"repo,omitempty" json:"repo,omitempty"`
	// Aliases are other names the model goes by (Ollama tags, file stems).
	Aliases []string `yaml:"aliases,omitempty" json:"aliases,omitempty"`
	// Tags say what the model is for: chat, code, reasoning, embedding,
	// vision.
	Tags []string `yaml:"tags" json:"tags"`
	// Architecture holds the numbers estimation needs.
	Architecture Architecture `yaml:"architecture" json:"architecture"`
	// Quality is the model's scores, one per tag at most, each with the
	// benchmark and the document it comes from.
	Quality []Quality `yaml:"quality" json:"quality"`
	// Quants are the quantizations published for it; empty means the
	// catalog's default list.
	Quants []string `yaml:"quants,omitempty" json:"quants,omitempty"`
	// Notes say what the numbers leave out (a vision projector, a context
	// extension).
	Notes string `yaml:"notes,omitempty" json:"notes,omitempty"`
}

// Quality is one quality score of a model.
type Quality struct {
	// Tag is the use the score measures (chat, code, reasoning, embedding).
	Tag string `yaml:"tag" json:"tag"`
	// Score is the benchmark result scaled to [0, 1].
	Score float64 `yaml:"score" json:"score"`
	// Benchmark names the benchmark and its setting: "MMLU (5-shot)".
	Benchmark string `yaml:"benchmark" json:"benchmark"`
	// Source names where the number was published.
	Source string `yaml:"source" json:"source"`
}

// HasTag reports whether the model carries the tag.
func (m Model) HasTag(tag string) bool { return slices.Contains(m.Tags, tag) }

// ScoreFor returns the score measured for a tag; ok is false when the
// model has none (scores for different tags come from different benchmarks
// and are not comparable).
func (m Model) ScoreFor(tag string) (q Quality, ok bool) {
	for _, q := range m.Quality {
		if q.Tag == tag {
			return q, true
		}
	}
	return Quality{}, false
}

// MissingTags returns the tags of want the model does not carry.
func (m Model) MissingTags(want []string) []string {
	var out []string
	for _, t := range want {
		if !m.HasTag(t) {
			out = append(out, t)
		}
	}
	return out
}

// QualityFor returns the score for a tag: the score measured for that tag,
// else the first score listed (the model's headline number), for display
// next to its benchmark's name. Ranking uses ScoreFor.
func (m Model) QualityFor(tag string) Quality {
	for _, q := range m.Quality {
		if q.Tag == tag {
			return q
		}
	}
	if len(m.Quality) > 0 {
		return m.Quality[0]
	}
	return Quality{}
}

// validate checks one model; defaultQuants applies when it lists none.
func (m Model) validate() error {
	var errs []error
	if m.ID == "" {
		errs = append(errs, errors.New("id is required"))
	} else if m.ID != strings.ToLower(m.ID) || strings.ContainsAny(m.ID, " \t/") {
		errs = append(errs, fmt.Errorf("id %q must be lower case without spaces or slashes", m.ID))
	}
	if m.Name == "" {
		errs = append(errs, errors.New("name is required"))
	}
	if len(m.Tags) == 0 {
		errs = append(errs, errors.New("at least one tag is required"))
	}
	for _, t := range m.Tags {
		if !slices.Contains(knownTags, t) {
			errs = append(errs, fmt.Errorf("unknown tag %q (want one of %s)", t, strings.Join(knownTags, ", ")))
		}
	}
	if err := m.Architecture.Validate(); err != nil {
		errs = append(errs, fmt.Errorf("architecture: %w", err))
	}
	if len(m.Quality) == 0 {
		errs = append(errs, errors.New("at least one quality score is required"))
	}
	for _, q := range m.Quality {
		if q.Score < 0 || q.Score > 1 {
			errs = append(errs, fmt.Errorf("quality %s: score %v outside [0, 1]", q.Tag, q.Score))
		}
		if q.Benchmark == "" || q.Source == "" {
			errs = append(errs, fmt.Errorf("quality %s: benchmark and source are required", q.Tag))
		}
	}
	for _, q := range m.Quants {
		if _, ok := LookupQuant(q); !ok {
			errs = append(errs, fmt.Errorf("unknown quantization %q", q))
		}
	}
	return errors.Join(errs...)
}
