package catalog

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestDefaultCatalog(t *testing.T) {
	t.Parallel()
	c := Default()
	if c.Version != SchemaVersion || c.Revision == "" || len(c.Models) < 20 {
		t.Fatalf("version %d revision %q, %d models", c.Version, c.Revision, len(c.Models))
	}
	families := map[string]bool{}
	tags := map[string]bool{}
	for _, m := range c.Models {
		families[m.Family] = true
		for _, tg := range m.Tags {
			tags[tg] = true
		}
		if len(c.QuantsOf(m)) == 0 {
			t.Errorf("%s has no quantizations", m.ID)
		}
		for _, q := range m.Quality {
			if q.Source == "" || q.Benchmark == "" {
				t.Errorf("%s: quality without a source", m.ID)
			}
		}
	}
	for _, f := range []string{"Llama 3.1", "Llama 3.2", "Llama 3.3", "Qwen2.5", "Qwen2.5-Coder", "Qwen3", "Mistral", "Mistral Small 3",
		"Gemma 2", "Gemma 3", "Phi-3.5", "Phi-4", "DeepSeek-R1 distill", "DeepSeek-Coder-V2"} {
		if !families[f] {
			t.Errorf("family %s missing", f)
		}
	}
	for _, tg := range knownTags {
		if !tags[tg] {
			t.Errorf("no model tagged %s", tg)
		}
	}
}

// The architecture numbers of the catalog are those of each model's
// published config.json.
func TestCatalogArchitectureNumbers(t *testing.T) {
	t.Parallel()
	c := Default()
	for _, tc := range []struct {
		id                                           string
		layers, emb, heads, kv, headDim, ctx, window int
		experts, used                                int
	}{
		{"llama-3.2-1b-instruct", 16, 2048, 32, 8, 64, 131072, 0, 0, 0},
		{"llama-3.2-3b-instruct", 28, 3072, 24, 8, 128, 131072, 0, 0, 0},
		{"llama-3.1-8b-instruct", 32, 4096, 32, 8, 128, 131072, 0, 0, 0},
		{"llama-3.3-70b-instruct", 80, 8192, 64, 8, 128, 131072, 0, 0, 0},
		{"qwen2.5-0.5b-instruct", 24, 896, 14, 2, 64, 32768, 0, 0, 0},
		{"qwen2.5-7b-instruct", 28, 3584, 28, 4, 128, 32768, 0, 0, 0},
		{"qwen2.5-14b-instruct", 48, 5120, 40, 8, 128, 32768, 0, 0, 0},
		{"qwen2.5-coder-32b-instruct", 64, 5120, 40, 8, 128, 32768, 0, 0, 0},
		{"qwen3-8b", 36, 4096, 32, 8, 128, 32768, 0, 0, 0},
		{"qwen3-32b", 64, 5120, 64, 8, 128, 32768, 0, 0, 0},
		{"qwen3-30b-a3b", 48, 2048, 32, 4, 128, 32768, 0, 128, 8},
		{"mistral-7b-instruct-v0.3", 32, 4096, 32, 8, 128, 32768, 0, 0, 0},
		{"mistral-small-24b-instruct-2501", 40, 5120, 32, 8, 128, 32768, 0, 0, 0},
		{"gemma-2-9b-it", 42, 3584, 16, 8, 256, 8192, 4096, 0, 0},
		{"gemma-2-27b-it", 46, 4608, 32, 16, 128, 8192, 4096, 0, 0},
		{"gemma-3-27b-it", 62, 5376, 32, 16, 128, 131072, 1024, 0, 0},
		{"phi-3.5-mini-instruct", 32, 3072, 32, 32, 96, 131072, 0, 0, 0},
		{"phi-4", 40, 5120, 40, 10, 128, 16384, 0, 0, 0},
		{"deepseek-coder-v2-lite-instruct", 27, 2048, 16, 1, 192, 163840, 0, 64, 6},
	} {
		m, ok := c.Model(tc.id)
		if !ok {
			t.Errorf("%s missing", tc.id)
			continue
		}
		a := m.Architecture
		got := [9]int{a.Layers, a.Embedding, a.Heads, a.KVHeads, a.HeadDim, a.ContextLength, a.SlidingWindow, a.Experts, a.ExpertsUsed}
		want := [9]int{tc.layers, tc.emb, tc.heads, tc.kv, tc.headDim, tc.ctx, tc.window, tc.experts, tc.used}
		if got != want {
			t.Errorf("%s: layers, emb, heads, kv, head dim, ctx, window, experts, used = %v, want %v", tc.id, got, want)
		}
	}
}

func TestParseErrorsNameFileAndLine(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct{ yaml, want string }{
		{"version: 2\nmodels: []\n", "mine.yaml: version 2 is not supported"},
		{"version: 1\nmodelz: []\n", "mine.yaml: yaml: unmarshal errors:\n  line 2: field modelz not found"},
		{"version: 1\ndefault_quants: [Q4_K_M]\nmodels:\n  - id: x\n    name: X\n    tags: [chat]\n    architecture: {name: llama, parameters: 1B, layers: 0, embedding: 2048, feed_forward: 8192, heads: 32, kv_heads: 8, head_dim: 64, context_length: 4096, vocab: 32000}\n    quality: [{tag: chat, score: 0.5, benchmark: MMLU, source: card}]\n",
			`mine.yaml:4: model "x": architecture: layers must be positive, got 0`},
		{"version: 1\nmodels:\n  - id: Y\n    name: Y\n    tags: [poetry]\n    architecture: {name: llama, parameters: 1B, layers: 2, embedding: 64, feed_forward: 128, heads: 2, kv_heads: 2, head_dim: 32, context_length: 4096, vocab: 100}\n    quality: [{tag: chat, score: 1.5, benchmark: MMLU, source: card}]\n    quants: [Q4_K_M, Q9]\n",
			`mine.yaml:3: model "Y": id "Y" must be lower case`},
		{"version: 1\nmodels:\n  - id: z\n    architecture: {parameters: 8.0X}\n", "invalid count"},
	} {
		_, err := Parse([]byte(tc.yaml), "mine.yaml")
		if err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("error = %v\nwant it to contain %q", err, tc.want)
		}
	}
	_, err := Parse([]byte("version: 1\nmodels:\n  - id: y\n    name: Y\n    tags: [poetry]\n    architecture: {name: llama, parameters: 1B, layers: 2, embedding: 64, feed_forward: 128, heads: 2, kv_heads: 2, head_dim: 32, context_length: 4096, vocab: 100}\n    quality: [{tag: chat, score: 1.5, benchmark: MMLU, source: card}]\n    quants: [Q4_K_M, Q9]\n"), "mine.yaml")
	for _, want := range []string{`unknown tag "poetry"`, "score 1.5 outside [0, 1]", `unknown quantization "Q9"`} {
		if err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("error = %v, want %q", err, want)
		}
	}
}

func TestUserCatalogMerges(t *testing.T) {
	t.Parallel()
	path := filepath.Join(t.TempDir(), "mine.yaml")
	user := `version: 1
revision: "local"
default_quants: [Q8_0]
models:
  - id: qwen2.5-7b-instruct
    name: Qwen2.5-7B-Instruct (our fine-tune)
    tags: [chat]
    architecture: {name: qwen2, parameters: 7.62B, layers: 28, embedding: 3584, feed_forward: 18944, heads: 28, kv_heads: 4, head_dim: 128, context_length: 32768, vocab: 152064}
    quality: [{tag: chat, score: 0.80, benchmark: "internal eval", source: "our team"}]
  - id: tiny-local
    name: tiny-local
    tags: [chat]
    architecture: {name: llama, parameters: 110M, layers: 12, embedding: 768, feed_forward: 2048, heads: 12, kv_heads: 12, head_dim: 64, context_length: 2048, vocab: 32000}
    quality: [{tag: chat, score: 0.2, benchmark: "internal eval", source: "our team"}]
`
	if err := os.WriteFile(path, []byte(user), 0o644); err != nil {
		t.Fatal(err)
	}
	u, err := LoadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	base := Default()
	c := base.Merge(u)
	if len(c.Models) != len(base.Models)+1 || c.Revision != base.Revision+"+local" {
		t.Fatalf("%d models, revision %q", len(c.Models), c.Revision)
	}
	m, _ := c.Model("qwen2.5-7b-instruct")
	if m.Name != "Qwen2.5-7B-Instruct (our fine-tune)" || len(c.QuantsOf(m)) != 1 || c.QuantsOf(m)[0].Name != "Q8_0" {
		t.Errorf("replaced model = %+v, quants %v", m, c.QuantsOf(m))
	}
	if _, err := LoadFile(filepath.Join(t.TempDir(), "missing.yaml")); err == nil {
		t.Error("missing file: no error")
	}
}

func TestLookupNames(t *testing.T) {
	t.Parallel()
	c := Default()
	for _, tc := range []struct{ name, id, quant string }{
		{"qwen2.5-coder:7b", "qwen2.5-coder-7b-instruct", ""},
		{"Qwen2.5-Coder-7B-Instruct", "qwen2.5-coder-7b-instruct", ""},
		{"/models/Qwen2.5-Coder-7B-Instruct-Q5_K_M.gguf", "qwen2.5-coder-7b-instruct", "Q5_K_M"},
		{"Meta-Llama-3.1-8B-Instruct-IQ4_XS.gguf", "llama-3.1-8b-instruct", "IQ4_XS"},
		{"gemma3:27b", "gemma-3-27b-it", ""},
	} {
		m, q, hasQuant, ok := c.Lookup(tc.name)
		if !ok || m.ID != tc.id || hasQuant != (tc.quant != "") || hasQuant && q.Name != tc.quant {
			t.Errorf("Lookup(%q) = %s %s %v %v, want %s %s", tc.name, m.ID, q.Name, hasQuant, ok, tc.id, tc.quant)
		}
	}
	if _, _, _, ok := c.Lookup("gpt-4o-mini"); ok {
		t.Error("gpt-4o-mini found in a local catalog")
	}
}

func TestTierTable(t *testing.T) {
	t.Parallel()
	gpu := func(vram Bytes) Hardware {
		return Hardware{GPUs: []GPU{{Vendor: VendorNVIDIA, VRAMTotal: vram}}}
	}
	for _, tc := range []struct {
		h    Hardware
		want Tier
	}{
		{Hardware{}, TierCPUOnly},
		{Hardware{GPUs: []GPU{{Vendor: VendorIntel, Integrated: true}}}, TierIGPU},
		{gpu(4096 << 20), TierLowVRAM},
		{gpu(7.99e9), TierLowVRAM},
		{gpu(8e9), TierMidVRAM},
		{gpu(8188 << 20), TierMidVRAM},
		{gpu(12288 << 20), TierMidVRAM},
		{gpu(16e9), TierHighVRAM},
		{gpu(16376 << 20), TierHighVRAM},
		{gpu(23.9e9), TierHighVRAM},
		{gpu(24e9), TierVeryHighVRAM},
		{gpu(81920 << 20), TierVeryHighVRAM},
		{Hardware{GPUs: []GPU{{Vendor: VendorNVIDIA, VRAMTotal: 8e9}, {Vendor: VendorNVIDIA, VRAMTotal: 8e9}}}, TierMultiGPU},
		{Hardware{GPUs: []GPU{{Vendor: VendorNVIDIA, VRAMTotal: 8e9}, {Vendor: VendorIntel, Integrated: true}}}, TierMidVRAM},
	} {
		if got := Classify(tc.h); got != tc.want {
			t.Errorf("Classify(%+v) = %s, want %s", tc.h.GPUs, got, tc.want)
		}
	}
	for i, b := range Tiers() {
		if b.Tier != Tier(i) {
			t.Errorf("row %d is %s", i, b.Name)
		}
		if p, err := ParseTier(b.Name); err != nil || p != b.Tier {
			t.Errorf("ParseTier(%s) = %v, %v", b.Name, p, err)
		}
	}
}
