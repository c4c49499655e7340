package catalog

import (
	"slices"
	"strings"
	"testing"
)

// TestRecommendRequiresEveryTag checks that --tag code,reasoning offers only
// models that carry both, ranked by their code score.
func TestRecommendRequiresEveryTag(t *testing.T) {
	t.Parallel()
	h := gpu24GB(t)
	c := Default()
	r := c.Recommend(h, RecommendOptions{Tags: []string{TagCode, TagReasoning}})
	if len(r.Fits) == 0 {
		t.Fatal("no model with both code and reasoning fits a 24 GB GPU")
	}
	for _, f := range r.Fits {
		if !f.Model.HasTag(TagCode) || !f.Model.HasTag(TagReasoning) {
			t.Errorf("%s (tags %v) offered for code,reasoning", f.ModelID, f.Model.Tags)
		}
		want, ok := f.Model.ScoreFor(TagCode)
		if !ok || !strings.HasPrefix(f.QualitySource, want.Benchmark) {
			t.Errorf("%s ranked by %q, want its code benchmark", f.ModelID, f.QualitySource)
		}
	}
	reasons := map[string]string{}
	for _, x := range r.Rejected {
		reasons[x.ModelID] = x.Reason
	}
	for id, want := range map[string]string{
		"deepseek-r1-distill-qwen-7b": "do not include code",      // reasoning only
		"qwen2.5-coder-7b-instruct":   "do not include reasoning", // code only
	} {
		if !strings.Contains(reasons[id], want) {
			t.Errorf("%s: reason %q, want %q", id, reasons[id], want)
		}
	}
}

// TestRecommendRanksByTheAskedTagsScore checks that a model without a score
// for the asked tag is not ranked, nor filtered, on another benchmark's
// score.
func TestRecommendRanksByTheAskedTagsScore(t *testing.T) {
	t.Parallel()
	h := gpu24GB(t)
	c := Default()
	var coder, unscored Model
	for _, m := range c.Models {
		if m.ID == "qwen2.5-coder-7b-instruct" {
			coder = m
		}
	}
	if coder.ID == "" {
		t.Fatal("qwen2.5-coder-7b-instruct is not in the catalog")
	}
	// Tagged code, but its only score is a high chat score.
	unscored = coder
	unscored.ID, unscored.Name = "code-tagged-chat-scored", "Code-Tagged"
	unscored.Quality = []Quality{{Tag: TagChat, Score: 0.99, Benchmark: "MMLU", Source: "test"}}
	c.Models = []Model{unscored, coder}

	r := c.Recommend(h, RecommendOptions{Tags: []string{TagCode}})
	best := r.Best(0)
	i := slices.IndexFunc(best, func(f Fit) bool { return f.ModelID == unscored.ID })
	j := slices.IndexFunc(best, func(f Fit) bool { return f.ModelID == coder.ID })
	if i < 0 || j < 0 {
		t.Fatalf("fits: %+v", best)
	}
	if i < j {
		t.Errorf("%s (no code score) ranks above %s (HumanEval)", unscored.ID, coder.ID)
	}
	if f := best[i]; f.Quality != 0 || !strings.Contains(f.QualitySource, "no code score") {
		t.Errorf("%s: quality %.3f from %q, want 0 from no code score", f.ModelID, f.Quality, f.QualitySource)
	}

	r = c.Recommend(h, RecommendOptions{Tags: []string{TagCode}, MinQuality: 0.5})
	for _, f := range r.Fits {
		if f.ModelID == unscored.ID {
			t.Fatalf("%s passed min_quality on its chat score", f.ModelID)
		}
	}
	found := false
	for _, x := range r.Rejected {
		if x.ModelID == unscored.ID {
			found = strings.Contains(x.Reason, "has no code score")
		}
	}
	if !found {
		t.Errorf("%s is not rejected for lacking a code score: %+v", unscored.ID, r.Rejected)
	}
}
