package main

import (
	"encoding/json"
	"testing"

	"github.com/flywheel-stack/flywheel/catalog"
)

// TestCatalogRecommendEveryTag checks that --tag code,reasoning offers only
// models with both tags, ranked by their code score.
func TestCatalogRecommendEveryTag(t *testing.T) {
	path := writeProfile(t, rtx4090Profile)
	var r catalog.Recommendations
	out := runCatalogCLI(t, "catalog", "recommend", "--hardware", path, "--tag", "code,reasoning", "--all", "--json")
	if err := json.Unmarshal([]byte(out), &r); err != nil {
		t.Fatalf("%v\n%s", err, out)
	}
	if len(r.Fits) == 0 {
		t.Fatalf("no fit:\n%s", out)
	}
	c := catalog.Default()
	for _, f := range r.Fits {
		m, _, _, ok := c.Lookup(f.ModelID)
		if !ok || len(m.MissingTags([]string{"code", "reasoning"})) > 0 {
			t.Errorf("%s (tags %v) offered for code,reasoning", f.ModelID, m.Tags)
			continue
		}
		if q, ok := m.ScoreFor("code"); !ok || f.QualitySource != q.Benchmark+", "+q.Source {
			t.Errorf("%s ranked by %q, want its code score", f.ModelID, f.QualitySource)
		}
	}
}
