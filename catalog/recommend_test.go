package catalog

import (
	"bytes"
	"encoding/json"
	"fmt"
	"math"
	"strings"
	"testing"
)

// Planning profiles of the three machines the issue names.
var (
	cpuOnly16GB = Hardware{CPU: CPU{Model: "8-core desktop", PhysicalCores: 8, LogicalCores: 16},
		Memory: Memory{Total: 16e9, Available: 14e9}}
	lowVRAM4GB = Hardware{CPU: CPU{PhysicalCores: 8, LogicalCores: 16}, Memory: Memory{Total: 32e9, Available: 30e9},
		GPUs: []GPU{{Vendor: VendorNVIDIA, Name: "NVIDIA GeForce GTX 1650", VRAMTotal: 4096 << 20, VRAMFree: 3900 << 20}}}
)

// gpu24GB is the one-GPU nvidia-smi fixture (an RTX 4090) on the CPU-only
// fixture host (a 16 GiB container): detection feeds recommendation.
func gpu24GB(t *testing.T) Hardware {
	h, _ := detectFixture(t, "cpu-only", map[string]string{"nvidia-smi --query-gpu": "nvidia-smi/one-gpu.csv"})
	return h
}

func TestRecommend24GBGPUOffers7BTo14B(t *testing.T) {
	t.Parallel()
	h := gpu24GB(t)
	r := Default().Recommend(h, RecommendOptions{})
	if r.Tier != TierVeryHighVRAM || len(r.Fits) == 0 {
		t.Fatalf("tier %s, %d fits", r.Tier, len(r.Fits))
	}
	offered := map[string]Fit{}
	for _, f := range r.Fits {
		if _, ok := offered[f.ModelID]; !ok {
			offered[f.ModelID] = f
		}
	}
	for _, id := range []string{"qwen2.5-7b-instruct", "llama-3.1-8b-instruct", "qwen3-8b", "gemma-2-9b-it", "gemma-3-12b-it", "qwen2.5-14b-instruct", "qwen3-14b", "phi-4"} {
		f, ok := offered[id]
		if !ok {
			t.Errorf("%s is not offered on a 24 GB GPU", id)
			continue
		}
		if !f.Placement.FullOffload() {
			t.Errorf("%s: best plan is %s, want all on the GPU", id, f.Placement.Mode())
		}
	}
	// Not exact-tier: models that a smaller card holds are offered too.
	smaller := 0
	for _, f := range r.Fits {
		if f.MinTier == "LOW_VRAM_GPU" || f.MinTier == "MID_VRAM_GPU" {
			smaller++
		}
	}
	if smaller == 0 {
		t.Error("no model of a smaller tier offered")
	}
	best := r.Fits[0]
	if !best.Placement.FullOffload() || best.Parameters < 7e9 || best.Parameters > 33e9 {
		t.Errorf("best = %s %s (%s, %s)", best.ModelID, best.Quant, best.Parameters, best.Placement.Mode())
	}
	for _, g := range best.Placement.GPUs {
		if g.Total > g.Budget || g.Budget > h.GPUs[0].VRAMFree {
			t.Errorf("GPU share %+v exceeds its budget or the free VRAM", g)
		}
	}
	assertRanked(t, r.Fits)
}

func TestRecommendCPUOnly16GBGetsAtMost8BAtQ4(t *testing.T) {
	t.Parallel()
	r := Default().Recommend(cpuOnly16GB, RecommendOptions{})
	if r.Tier != TierCPUOnly || len(r.Fits) == 0 {
		t.Fatalf("tier %s, %d fits", r.Tier, len(r.Fits))
	}
	// Nothing larger than an 8B model at Q4_K_M: a larger model only at a
	// quantization that makes it smaller than that.
	limit := uint64(8.2e9 * mustQuant(t, "Q4_K_M").BitsPerWeight / 8)
	for _, f := range r.Fits {
		if f.Parameters > 8.2e9 && f.Estimate.Weights > limit {
			t.Errorf("%s %s: %s parameters in %s, more than an 8B model at Q4_K_M", f.ModelID, f.Quant, f.Parameters, Bytes(f.Estimate.Weights))
		}
		if f.Placement.GPULayers != 0 || f.Placement.TokensPerSecond < DefaultMinTokensPerSecond {
			t.Errorf("%s %s: %s at %.1f tokens/s", f.ModelID, f.Quant, f.Placement.Mode(), f.Placement.TokensPerSecond)
		}
	}
	best := r.Fits[0]
	if best.Parameters > 8.2e9 || !strings.Contains(best.Quant, "Q4") {
		t.Errorf("best = %s %s (%s)", best.ModelID, best.Quant, best.Parameters)
	}
	// 14B models fit in the memory but decode below reading speed: said so.
	found := false
	for _, x := range r.Rejected {
		if x.ModelID == "qwen3-14b" && x.Quant == "Q4_K_M" && x.Context == DefaultMinContext {
			found = true
			if !strings.Contains(x.Reason, "tokens/s") || !strings.Contains(x.Reason, "below the minimum 5") {
				t.Errorf("rejection of qwen3-14b: %q", x.Reason)
			}
		}
		if x.ModelID == "llama-3.3-70b-instruct" && x.Quant == "Q4_K_M" && !strings.Contains(x.Reason, "GB RAM") {
			t.Errorf("rejection of the 70B: %q, want the RAM it needs", x.Reason)
		}
	}
	if !found {
		t.Error("qwen3-14b Q4_K_M at 4096 is neither offered nor rejected")
	}
	assertRanked(t, r.Fits)
}

func TestRecommend4GBGPUWith32GBRAMGetsPartialOffload(t *testing.T) {
	t.Parallel()
	r := Default().Recommend(lowVRAM4GB, RecommendOptions{})
	if r.Tier != TierLowVRAM || len(r.Fits) == 0 {
		t.Fatalf("tier %s, %d fits", r.Tier, len(r.Fits))
	}
	best := r.Fits[0]
	p := best.Placement
	if !p.Partial() || p.OffloadedBlocks == 0 || p.RAM == 0 {
		t.Fatalf("best = %s %s: %s, want a partial offload", best.ModelID, best.Quant, p.Mode())
	}
	budget := gpuBudget(lowVRAM4GB.GPUs[0], Limits{})
	if p.VRAM > budget || p.RAM > ramBudget(lowVRAM4GB, Limits{}) {
		t.Errorf("plan uses %s VRAM (budget %s) and %s RAM", p.VRAM, budget, p.RAM)
	}
	if p.TensorSplit[0] != p.OffloadedBlocks || p.GPULayers != p.OffloadedBlocks+1 || !p.GPUs[0].Output {
		t.Errorf("plan %+v: the output layer and the last blocks go to the GPU", p)
	}
	if !strings.HasPrefix(p.Mode(), "partial offload (") {
		t.Errorf("mode = %q", p.Mode())
	}
	assertRanked(t, r.Fits)
}

func assertRanked(t *testing.T, fits []Fit) {
	t.Helper()
	for i := 1; i < len(fits); i++ {
		a, b := fits[i-1], fits[i]
		if a.Quality < b.Quality || a.Quality == b.Quality && a.Placement.TokensPerSecond < b.Placement.TokensPerSecond {
			t.Fatalf("fit %d (%s %s q %.3f, %.1f tok/s) ranks above %d (%s %s q %.3f, %.1f tok/s)",
				i-1, a.ModelID, a.Quant, a.Quality, a.Placement.TokensPerSecond, i, b.ModelID, b.Quant, b.Quality, b.Placement.TokensPerSecond)
		}
	}
}

func TestRecommendFilters(t *testing.T) {
	t.Parallel()
	h := gpu24GB(t)
	c := Default()
	code := c.Recommend(h, RecommendOptions{Tags: []string{TagCode}, MinQuality: 0.85, MinContext: 16384, Limits: Limits{MaxMemoryShare: 0.5}})
	if len(code.Fits) == 0 {
		t.Fatal("no code model fits")
	}
	half := gpuBudget(h.GPUs[0], Limits{MaxMemoryShare: 0.5})
	for _, f := range code.Fits {
		if !f.Model.HasTag(TagCode) || f.Quality < 0.85 || f.Context < 16384 {
			t.Errorf("%s %s ctx %d q %.3f passed the filters", f.ModelID, f.Quant, f.Context, f.Quality)
		}
		if f.Placement.VRAM > half {
			t.Errorf("%s %s uses %s VRAM, more than half (%s)", f.ModelID, f.Quant, f.Placement.VRAM, half)
		}
		if f.QualitySource == "" || !strings.Contains(f.QualitySource, "HumanEval") && !strings.Contains(f.QualitySource, "SWE-bench") {
			t.Errorf("%s ranked by %q, want its code benchmark", f.ModelID, f.QualitySource)
		}
	}
	reasons := map[string]string{}
	for _, x := range code.Rejected {
		reasons[x.ModelID] = x.Reason
	}
	for id, want := range map[string]string{
		"llama-3.2-1b-instruct":       "do not include",
		"gemma-2-9b-it":               "do not include",
		"qwen2.5-coder-1.5b-instruct": "below the minimum 0.85",
	} {
		if !strings.Contains(reasons[id], want) {
			t.Errorf("%s: reason %q, want %q", id, reasons[id], want)
		}
	}
	ctx := c.Recommend(h, RecommendOptions{MinContext: 16384})
	for _, x := range ctx.Rejected {
		if x.ModelID == "gemma-2-9b-it" && !strings.Contains(x.Reason, "trained context 8192 is below the 16384") {
			t.Errorf("gemma-2-9b: %q", x.Reason)
		}
	}
	emb := c.Recommend(cpuOnly16GB, RecommendOptions{Tags: []string{TagEmbedding}})
	if len(emb.Best(0)) == 0 || !emb.Fits[0].Model.HasTag(TagEmbedding) {
		t.Errorf("embedding models: %+v", emb.Best(3))
	}
}

func TestMultiGPUSplitsLayers(t *testing.T) {
	t.Parallel()
	two := Hardware{CPU: CPU{PhysicalCores: 16}, Memory: Memory{Total: 128e9, Available: 120e9}}
	for i := range 2 {
		two.GPUs = append(two.GPUs, GPU{Index: i, Vendor: VendorNVIDIA, Name: "NVIDIA GeForce RTX 3090", VRAMTotal: 24576 << 20, VRAMFree: 24000 << 20})
	}
	if Classify(two) != TierMultiGPU {
		t.Fatalf("tier = %s", Classify(two))
	}
	v, err := Default().Validate(Selection{Model: "llama3.3:70b", Quant: "IQ3_M", Settings: Settings{Context: 8192}}, two)
	if err != nil {
		t.Fatal(err)
	}
	p := v.Placement
	if !v.Fits || !p.FullOffload() || len(p.GPUs) != 2 || p.TensorSplit[0]+p.TensorSplit[1] != 80 || p.TensorSplit[1] == 0 {
		t.Fatalf("70B IQ3_M on two 3090s: fits %v, %s, split %v, reason %q", v.Fits, p.Mode(), p.TensorSplit, v.Reason)
	}
	for _, g := range p.GPUs {
		if g.Total > g.Budget {
			t.Errorf("%s holds %s, budget %s", g.Device, g.Total, g.Budget)
		}
	}
	// Device order, as --tensor-split takes it: the last device holds the
	// last blocks and the output, as llama.cpp places them.
	if p.GPUs[0].GPU != 0 || p.GPUs[1].GPU != 1 || p.GPUs[0].Output || !p.GPUs[1].Output || p.Mode() != "2 GPUs" {
		t.Errorf("GPUs %+v, mode %q", p.GPUs, p.Mode())
	}
	// Layer split runs the GPUs one after the other: the time per token is
	// the sum of each GPU's reads over its bandwidth.
	var seconds float64
	for _, g := range p.GPUs {
		seconds += float64(g.ReadPerToken) / (936e9 * gpuEfficiency)
	}
	if got, want := p.TokensPerSecond, 1/seconds; math.Abs(got-want)/want > 1e-9 {
		t.Errorf("tokens/s = %v, want %v", got, want)
	}
	if p.TokensPerSecond < 10 || p.TokensPerSecond > 30 {
		t.Errorf("tokens/s = %.1f; a 70B at 3.8 bits on two 3090s runs at about 15-20", p.TokensPerSecond)
	}
}

// Decode speed is memory bandwidth over bytes read per token; a partial
// offload is slower than a full one and faster than the CPU alone.
func TestDecodeSpeedFromBandwidth(t *testing.T) {
	t.Parallel()
	e := estimateCatalog(t, "llama-3.1-8b-instruct", "Q4_K_M", Settings{Context: 8192})
	h := gpu24GB(t)
	full := PlanPlacement(e, h, Limits{})
	seconds := float64(full.GPUs[0].ReadPerToken)/(1008e9*gpuEfficiency) + float64(full.Host.ReadPerToken)/(50e9*cpuEfficiency)
	if want := 1 / seconds; math.Abs(full.TokensPerSecond-want)/want > 1e-9 {
		t.Errorf("full offload: %.2f tokens/s, want %.2f", full.TokensPerSecond, want)
	}
	if full.TokensPerSecond < 100 || full.TokensPerSecond > 180 {
		t.Errorf("Llama-3.1-8B Q4_K_M on an RTX 4090: %.0f tokens/s; llama-bench reports about 130-150", full.TokensPerSecond)
	}
	fixed := e
	fixed.Settings.FixedGPULayers, fixed.Settings.GPULayers = true, 17
	half := PlanPlacement(fixed, h, Limits{})
	if half.OffloadedBlocks != 16 || half.GPULayers != 17 || half.Host.Layers != 16 {
		t.Fatalf("-ngl 17: %+v", half)
	}
	cpu := PlanPlacement(e, cpuOnly16GB, Limits{})
	if !(cpu.TokensPerSecond < half.TokensPerSecond && half.TokensPerSecond < full.TokensPerSecond) {
		t.Errorf("CPU %.1f, half %.1f, GPU %.1f tokens/s: want increasing", cpu.TokensPerSecond, half.TokensPerSecond, full.TokensPerSecond)
	}
	if cpu.Mode() != "CPU" || full.Mode() != "GPU" {
		t.Errorf("modes %q %q", cpu.Mode(), full.Mode())
	}
}

func TestValidateSaysWhyNot(t *testing.T) {
	t.Parallel()
	c := Default()
	small := Hardware{CPU: CPU{PhysicalCores: 8}, Memory: Memory{Total: 32e9, Available: 30e9},
		GPUs: []GPU{{Vendor: VendorNVIDIA, Name: "NVIDIA GeForce RTX 3060 Ti", VRAMTotal: 8192 << 20, VRAMFree: 7600e6}}}
	v, err := c.Validate(Selection{Model: "Qwen2.5-14B-Instruct-Q4_K_M.gguf", Settings: Settings{Context: 8192, FixedGPULayers: true, GPULayers: 99}}, small)
	if err != nil {
		t.Fatal(err)
	}
	if v.ModelID != "qwen2.5-14b-instruct" || v.Quant != "Q4_K_M" || v.Fits {
		t.Fatalf("verdict %+v", v)
	}
	if !strings.Contains(v.Reason, "VRAM on GPU 0 (NVIDIA GeForce RTX 3060 Ti)") || !strings.Contains(v.Reason, fmt.Sprintf("%s usable", Bytes(7600e6)-DefaultGPUReserve)) {
		t.Errorf("reason = %q", v.Reason)
	}
	auto, err := c.Validate(Selection{Model: "qwen2.5:14b"}, small)
	if err != nil || !auto.Fits || !auto.Placement.Partial() {
		t.Errorf("auto layers: %+v, %v; want a partial offload that fits", auto.Placement, err)
	}
	if _, err := c.Validate(Selection{Model: "no-such-model"}, small); err == nil || !strings.Contains(err.Error(), ErrUnknownModel.Error()) {
		t.Errorf("unknown model: %v", err)
	}
	if _, err := c.Validate(Selection{Model: "qwen2.5:14b", Quant: "Q9_X"}, small); err == nil {
		t.Error("unknown quant: no error")
	}
	tiny := Hardware{CPU: CPU{PhysicalCores: 2}, Memory: Memory{Total: 4e9, Available: 3e9}}
	huge, err := Validate(Selection{Model: "llama3.3:70b"}, tiny)
	if err != nil || huge.Fits || !strings.Contains(huge.Reason, "GB RAM, 1.9 GB usable") {
		t.Errorf("70B on 4 GB: %+v %v", huge.Reason, err)
	}
}

func TestPreflight(t *testing.T) {
	t.Parallel()
	c := Default()
	h := cpuOnly16GB
	w := c.Preflight([]string{"qwen2.5-coder:7b", "llama3.3:70b", "gpt-4o-mini", "llama3.3:70b", ""}, h, Settings{})
	if len(w) != 1 || w[0].Model != "llama3.3:70b" || !strings.Contains(w[0].Message, "llama-3.3-70b-instruct Q4_K_M at 8192 context is not expected to fit this CPU_ONLY machine: needs") {
		t.Errorf("warnings = %+v", w)
	}
}

func TestDetectedProfileRoundTripsThroughJSON(t *testing.T) {
	t.Parallel()
	h := gpu24GB(t)
	data, err := json.Marshal(h)
	if err != nil {
		t.Fatal(err)
	}
	back, err := ParseProfile(data)
	if err != nil {
		t.Fatal(err)
	}
	if back.Tier != h.Tier || len(back.GPUs) != 1 || back.GPUs[0] != h.GPUs[0] || back.Memory != h.Memory {
		t.Errorf("round trip:\n %+v\n %+v", back, h)
	}
	hand, err := ParseProfile([]byte(`{"memory": {"total": "64GB"}, "gpus": [{"vendor": "nvidia", "name": "NVIDIA GeForce RTX 4090", "vram_total": "24GB"}]}`))
	if err != nil {
		t.Fatal(err)
	}
	if hand.Tier != TierVeryHighVRAM || hand.GPUs[0].MemoryBandwidthGBps != 1008 || hand.CPU.MemoryBandwidthGBps == 0 {
		t.Errorf("hand-written profile: %+v", hand)
	}
	if _, err := ParseProfile([]byte(`{"gpus": [{"vram_total": "lots"}]}`)); err == nil {
		t.Error("bad size: no error")
	}
	if _, err := ParseProfile([]byte(`{"gpus": [{"vram_total": "24GB"}]}`)); err == nil || !strings.Contains(err.Error(), "memory.total is required") {
		t.Errorf("no memory: %v", err)
	}
	if _, err := ParseProfile([]byte(`{"gpu": []}`)); err == nil || !strings.Contains(err.Error(), "gpu") {
		t.Errorf("unknown key: %v", err)
	}
}

func BenchmarkRecommend(b *testing.B) {
	c := Default()
	for b.Loop() {
		c.Recommend(lowVRAM4GB, RecommendOptions{})
	}
}

func BenchmarkEstimateFile(b *testing.B) {
	h := synthModels[0].header(b)
	for b.Loop() {
		g, err := ReadGGUF(bytes.NewReader(h))
		if err != nil {
			b.Fatal(err)
		}
		if _, _, err := EstimateFile(g, Settings{Context: 8192}); err != nil {
			b.Fatal(err)
		}
	}
}
