package catalog

import (
	"bytes"
	"math"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func mustModel(t *testing.T, id string) Model {
	t.Helper()
	m, ok := Default().Model(id)
	if !ok {
		t.Fatalf("model %s not in the catalog", id)
	}
	return m
}

func mustQuant(t *testing.T, name string) Quant {
	t.Helper()
	q, ok := LookupQuant(name)
	if !ok {
		t.Fatalf("quant %s unknown", name)
	}
	return q
}

func estimateCatalog(t *testing.T, id, quant string, s Settings) Estimate {
	t.Helper()
	m := mustModel(t, id)
	e, err := EstimateMemory(m.Architecture, m.Architecture.WeightsFor(mustQuant(t, quant)), s)
	if err != nil {
		t.Fatal(err)
	}
	return e
}

func synthFile(t *testing.T, file string) *GGUFFile {
	t.Helper()
	for _, m := range synthModels {
		if m.file == file {
			g, err := ReadGGUF(bytes.NewReader(m.header(t)))
			if err != nil {
				t.Fatal(err)
			}
			return g
		}
	}
	t.Fatalf("no synthetic model %s", file)
	return nil
}

// The KV cache of Llama-3.1-8B at 8192 tokens in f16 is 2 (K and V) × 32
// layers × 8192 × 8 KV heads × 128 × 2 bytes = 1 GiB exactly.
func TestKVCacheLlama31At8192IsOneGiB(t *testing.T) {
	t.Parallel()
	e := estimateCatalog(t, "llama-3.1-8b-instruct", "Q4_K_M", Settings{Context: 8192, KVType: KVF16})
	if e.KVCache != 1<<30 {
		t.Errorf("catalog: KV cache = %d, want %d", e.KVCache, 1<<30)
	}
	_, fe, err := EstimateFile(synthFile(t, "llama-3.1-8b.gguf"), Settings{Context: 8192})
	if err != nil {
		t.Fatal(err)
	}
	if fe.KVCache != 1<<30 {
		t.Errorf("GGUF header: KV cache = %d, want %d", fe.KVCache, 1<<30)
	}
}

func TestKVCacheTypesContextAndParallel(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name string
		s    Settings
		want uint64
	}{
		{"q8_0 is 34 bytes per 32 elements", Settings{Context: 8192, KVType: KVQ8_0}, (1 << 30) / 64 * 34},
		{"q4_0 is 18 bytes per 32 elements", Settings{Context: 8192, KVType: KVQ4_0}, (1 << 30) / 64 * 18},
		{"4 sequences of 4096 hold 16384 tokens", Settings{Context: 4096, Parallel: 4}, 2 << 30},
		{"the context is padded to 256 cells", Settings{Context: 8000}, 1 << 30},
		{"128K context", Settings{Context: 131072}, 16 << 30},
	} {
		e := estimateCatalog(t, "llama-3.1-8b-instruct", "Q4_K_M", tc.s)
		if e.KVCache != tc.want {
			t.Errorf("%s: KV = %d, want %d", tc.name, e.KVCache, tc.want)
		}
	}
}

// Sliding-window layers hold at most window + ubatch tokens: Gemma 3 12B has
// 48 layers, 8 global (every sixth), 40 windowed at 1024.
func TestKVCacheSlidingWindowIsCapped(t *testing.T) {
	t.Parallel()
	m := mustModel(t, "gemma-3-12b-it")
	if n := m.Architecture.SlidingLayers(); n != 40 {
		t.Fatalf("sliding layers = %d, want 40", n)
	}
	e := estimateCatalog(t, "gemma-3-12b-it", "Q4_K_M", Settings{Context: 32768})
	full, sliding := e.KVCells()
	if full != 32768 || sliding != 1024+512 {
		t.Errorf("cells = %d full, %d sliding; want 32768 and 1536", full, sliding)
	}
	perCell := uint64(2 * 8 * 256 * 2) // K and V × KV heads × head dim × f16
	if want := 8*32768*perCell + 40*1536*perCell; e.KVCache != want {
		t.Errorf("KV = %d, want %d", e.KVCache, want)
	}
	if e.LayerKV(5) != 32768*perCell || e.LayerKV(0) != 1536*perCell {
		t.Errorf("layer 5 (global) = %d, layer 0 (local) = %d", e.LayerKV(5), e.LayerKV(0))
	}
	// Gemma 2 alternates: 21 of 42 layers slide at 4096; at 4096 context
	// nothing is capped.
	g2 := estimateCatalog(t, "gemma-2-9b-it", "Q4_K_M", Settings{Context: 4096})
	if _, s := g2.KVCells(); s != 4096 {
		t.Errorf("gemma 2 at 4096: sliding cells = %d, want 4096 (the window is not reached)", s)
	}
}

func TestEmbeddingModelHasNoKVCache(t *testing.T) {
	t.Parallel()
	e := estimateCatalog(t, "nomic-embed-text-v1.5", "F16", Settings{Context: 2048})
	if e.KVCache != 0 {
		t.Errorf("KV = %d, want 0 for an encoder", e.KVCache)
	}
	if e.Weights < 250e6 || e.Weights > 300e6 {
		t.Errorf("weights = %d, want about 137M × 2 bytes", e.Weights)
	}
}

// The weights of a catalog entry, from bits per weight, agree with the sum
// of the tensors of a real-shaped Q4_K_M file.
func TestCatalogWeightsMatchFileTensors(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct{ id, file string }{
		{"llama-3.1-8b-instruct", "llama-3.1-8b.gguf"},
		{"qwen2.5-7b-instruct", "qwen2.5-7b.gguf"},
		{"qwen3-30b-a3b", "qwen3-30b-a3b.gguf"},
		{"phi-4", "phi-4.gguf"},
	} {
		cat := estimateCatalog(t, tc.id, "Q4_K_M", Settings{Context: 8192})
		_, file, err := EstimateFile(synthFile(t, tc.file), Settings{Context: 8192})
		if err != nil {
			t.Fatal(err)
		}
		if d := rel(cat.Weights, file.Weights); math.Abs(d) > 0.03 {
			t.Errorf("%s: catalog weights %d vs file %d (%+.1f%%)", tc.id, cat.Weights, file.Weights, 100*d)
		}
		if cat.KVCache != file.KVCache {
			t.Errorf("%s: catalog KV %d vs file %d", tc.id, cat.KVCache, file.KVCache)
		}
	}
}

// gguf-parser-go v0.28.1 (github.com/gpustack/gguf-parser-go), run on the
// same synthetic files (TestWriteSyntheticGGUF writes them) with
// EstimateLLaMACppRun(WithLLaMACppContextSize(8192), WithFlashAttention(),
// WithLLaMACppLogicalBatchSize(512), WithLLaMACppPhysicalBatchSize(512)),
// all layers offloaded, SummarizeItem(mmap=false, 0, 0): the VRAM of device
// 1 and RAM + VRAM. docs/catalog.md has the program.
var ggufParserReference = []struct {
	file        string
	vram, total uint64
}{
	{"llama-3.1-8b.gguf", 5854717952, 6863750816},
	{"qwen2.5-7b.gguf", 5025921024, 6145651552},
	{"qwen3-8b.gguf", 6030723072, 7216796608},
	{"phi-4.gguf", 10653079552, 11544460288},
	{"gemma-2-9b.gguf", 7895580672, 9510643392},
	{"gemma-3-12b.gguf", 8258854912, 9951916736},
	{"qwen3-30b-a3b.gguf", 19308134400, 20227184192},
	{"deepseek-coder-v2-lite.gguf", 11498287104, 12130400688},
}

func rel(got, want uint64) float64 { return (float64(got) - float64(want)) / float64(want) }

func TestEstimatesWithinTenPercentOfGGUFParser(t *testing.T) {
	t.Parallel()
	big := Hardware{CPU: CPU{PhysicalCores: 16}, Memory: Memory{Total: 512e9, Available: 500e9},
		GPUs: []GPU{{Vendor: VendorNVIDIA, Name: "NVIDIA H200", VRAMTotal: 150e9, VRAMFree: 150e9}}}
	archs := map[string]bool{}
	for _, ref := range ggufParserReference {
		a, e, err := EstimateFile(synthFile(t, ref.file), Settings{Context: 8192})
		if err != nil {
			t.Fatalf("%s: %v", ref.file, err)
		}
		archs[a.Name] = true
		p := PlanPlacement(e, big, Limits{})
		if !p.FullOffload() || !p.Fits {
			t.Fatalf("%s: not fully offloaded on a 150 GB GPU: %+v", ref.file, p)
		}
		dv, dt := rel(uint64(p.VRAM), ref.vram), rel(uint64(p.VRAM+p.RAM), ref.total)
		t.Logf("%-28s VRAM %5.2f GB vs %5.2f (%+5.1f%%)  total %5.2f GB vs %5.2f (%+5.1f%%)",
			ref.file, float64(p.VRAM)/1e9, float64(ref.vram)/1e9, 100*dv, float64(p.VRAM+p.RAM)/1e9, float64(ref.total)/1e9, 100*dt)
		if math.Abs(dv) > 0.10 || math.Abs(dt) > 0.10 {
			t.Errorf("%s: VRAM %+.1f%%, total %+.1f%% from gguf-parser-go; want within 10%%", ref.file, 100*dv, 100*dt)
		}
		if p.VRAM+p.RAM != Bytes(e.Total)+tiedCopy(e) {
			// Offloading moves bytes between memories; only the GPU's
			// copy of tied embeddings adds some.
			t.Errorf("%s: RAM+VRAM %d differs from the one-device total %d by more than the tied output copy", ref.file, p.VRAM+p.RAM, e.Total)
		}
	}
	for _, want := range []string{"llama", "qwen2", "qwen3", "phi3", "gemma2", "gemma3", "qwen3moe", "deepseek2"} {
		if !archs[want] {
			t.Errorf("architecture %s not checked", want)
		}
	}
}

// tiedCopy is the extra output matrix a GPU needs when embeddings are tied,
// beyond the compute buffers that move with it.
func tiedCopy(e Estimate) Bytes {
	if e.weights.Tied {
		return Bytes(e.weights.Input)
	}
	return 0
}

func TestGGUFArchitectureFromHeader(t *testing.T) {
	t.Parallel()
	a, err := synthFile(t, "gemma-3-12b.gguf").Architecture()
	if err != nil {
		t.Fatal(err)
	}
	want := Architecture{Name: "gemma3", Layers: 48, Embedding: 3840, FeedForward: 15360, Heads: 16, KVHeads: 8, HeadDim: 256,
		ContextLength: 131072, SlidingWindow: 1024, SlidingWindowPattern: 6, Vocab: 262208, TiedEmbeddings: true, Parameters: a.Parameters}
	if a != want {
		t.Errorf("architecture =\n %+v, want\n %+v", a, want)
	}
	if a.Parameters < 11.5e9 || a.Parameters > 12.0e9 {
		t.Errorf("parameters = %s, want about 11.8B", a.Parameters)
	}
	moe, err := synthFile(t, "qwen3-30b-a3b.gguf").Architecture()
	if err != nil {
		t.Fatal(err)
	}
	if moe.Experts != 128 || moe.ExpertsUsed != 8 || moe.ActiveParameters < 3.2e9 || moe.ActiveParameters > 3.5e9 || moe.Parameters < 30.4e9 || moe.Parameters > 30.7e9 {
		t.Errorf("MoE = %+v, want 30.5B total, 3.3B active", moe)
	}
	mla, err := synthFile(t, "deepseek-coder-v2-lite.gguf").Architecture()
	if err != nil {
		t.Fatal(err)
	}
	if mla.KVHeads != 1 || mla.KeyLength != 576 || mla.ValueLength != 512 || mla.HeadDim != 192 {
		t.Errorf("MLA = %+v", mla)
	}
	q, ok := synthFile(t, "llama-3.1-8b.gguf").Quant()
	if !ok || q.Name != "Q4_K_M" {
		t.Errorf("quant = %v %v, want Q4_K_M from general.file_type", q, ok)
	}
}

func TestOpenGGUFRejectsTruncatedAndForeignFiles(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	m := synthModels[0]
	path := m.writeFile(t, dir)
	g, err := OpenGGUF(path)
	if err != nil {
		t.Fatal(err)
	}
	if g.Size != int64(len(m.header(t)))+m.dataSize() || len(g.Tensors) != 3+32*9 {
		t.Errorf("size %d, %d tensors", g.Size, len(g.Tensors))
	}
	if err := os.Truncate(path, g.Size-1); err != nil {
		t.Fatal(err)
	}
	if _, err := OpenGGUF(path); err == nil || !strings.Contains(err.Error(), "truncated download") {
		t.Errorf("short file: err = %v", err)
	}
	h := m.header(t)
	for _, cut := range []int{3, 30, len(h) / 2} {
		if _, err := ReadGGUF(bytes.NewReader(h[:cut])); err == nil {
			t.Errorf("header cut at %d: no error", cut)
		}
	}
	other := filepath.Join(dir, "model.safetensors")
	if err := os.WriteFile(other, []byte(`{"__metadata__":{}}`), 0o644); err != nil {
		t.Fatal(err)
	}
	if _, err := OpenGGUF(other); err == nil || !strings.Contains(err.Error(), ErrNotGGUF.Error()) {
		t.Errorf("safetensors: err = %v", err)
	}
	bad := append([]byte(nil), h...)
	bad[4] = 9 // version 9
	if _, err := ReadGGUF(bytes.NewReader(bad)); err == nil || !strings.Contains(err.Error(), "version 9") {
		t.Errorf("version 9: err = %v", err)
	}
}

func TestEstimateRejectsBadSettings(t *testing.T) {
	t.Parallel()
	m := mustModel(t, "qwen2.5-7b-instruct")
	w := m.Architecture.WeightsFor(mustQuant(t, "Q4_K_M"))
	for _, s := range []Settings{
		{Context: -1},
		{KVType: "q5_1"},
		{KVType: KVQ8_0, NoFlashAttention: true},
		{FixedGPULayers: true, GPULayers: -2},
	} {
		if _, err := EstimateMemory(m.Architecture, w, s); err == nil {
			t.Errorf("settings %+v: no error", s)
		}
	}
	if _, err := EstimateMemory(m.Architecture, Weights{Layers: make([]uint64, 3)}, Settings{}); err == nil {
		t.Error("weights with the wrong layer count: no error")
	}
	e, err := EstimateMemory(m.Architecture, w, Settings{})
	if err != nil || e.Settings.Context != DefaultContext || e.Settings.Parallel != 1 || e.Settings.KVType != KVF16 {
		t.Errorf("defaults: %+v, %v", e.Settings, err)
	}
	noFA, err := EstimateMemory(m.Architecture, w, Settings{NoFlashAttention: true})
	if err != nil || noFA.Compute <= e.Compute {
		t.Errorf("without flash attention compute %d, with %d: want more (the KQ matrix)", noFA.Compute, e.Compute)
	}
}

func FuzzReadGGUF(f *testing.F) {
	h := synthModels[0].header(f)
	f.Add(h)
	f.Add(h[:len(h)/3])
	f.Add([]byte("GGUF\x03\x00\x00\x00"))
	f.Fuzz(func(t *testing.T, data []byte) {
		g, err := ReadGGUF(bytes.NewReader(data))
		if err != nil {
			return
		}
		if a, err := g.Architecture(); err == nil {
			_, _ = g.Weights(a)
		}
	})
}

// A split model (llama-gguf-split) is read from all its shards: the first
// holds the metadata, the tensors are spread over them.
func TestOpenGGUFReadsAllShards(t *testing.T) {
	t.Parallel()
	m := synthModels[0]
	ts := m.tensors()
	half := len(ts) / 2
	dir := t.TempDir()
	write := func(name string, md []kv, part []TensorInfo) {
		var off uint64
		part = append([]TensorInfo(nil), part...)
		for i := range part {
			part[i].Offset = off
			off += (part[i].Bytes() + ggufDefaultAlign - 1) / ggufDefaultAlign * ggufDefaultAlign
		}
		h := encodeGGUF(t, md, part)
		path := filepath.Join(dir, name)
		if err := os.WriteFile(path, h, 0o644); err != nil {
			t.Fatal(err)
		}
		if err := os.Truncate(path, int64(len(h))+int64(off)); err != nil {
			t.Fatal(err)
		}
	}
	first := append(m.metadata(), kv{"split.no", uint32(0)}, kv{"split.count", uint32(2)})
	write("Llama-3.1-8B-Q4_K_M-00001-of-00002.gguf", first, ts[:half])
	write("Llama-3.1-8B-Q4_K_M-00002-of-00002.gguf", []kv{{"split.no", uint32(1)}, {"split.count", uint32(2)}}, ts[half:])
	g, err := OpenGGUF(filepath.Join(dir, "Llama-3.1-8B-Q4_K_M-00001-of-00002.gguf"))
	if err != nil {
		t.Fatal(err)
	}
	if len(g.Tensors) != len(ts) {
		t.Fatalf("%d tensors, want %d", len(g.Tensors), len(ts))
	}
	_, split, err := EstimateFile(g, Settings{Context: 8192})
	if err != nil {
		t.Fatal(err)
	}
	_, whole, _ := EstimateFile(synthFile(t, m.file), Settings{Context: 8192})
	if split.Total != whole.Total || split.Weights != whole.Weights {
		t.Errorf("split: %d total, %d weights; whole file: %d, %d", split.Total, split.Weights, whole.Total, whole.Weights)
	}
	if err := os.Remove(filepath.Join(dir, "Llama-3.1-8B-Q4_K_M-00002-of-00002.gguf")); err != nil {
		t.Fatal(err)
	}
	if _, err := OpenGGUF(filepath.Join(dir, "Llama-3.1-8B-Q4_K_M-00001-of-00002.gguf")); err == nil || !strings.Contains(err.Error(), "shard 2 of 2") {
		t.Errorf("missing shard: %v", err)
	}
}
