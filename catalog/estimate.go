package catalog

import "fmt"

// Constants of the estimate, documented in docs/catalog.md.
const (
	// kvPad is the granularity llama.cpp rounds KV cache sizes to.
	kvPad = 256
	// loadOverhead is llama.cpp's fixed host allocation at model load (graph
	// metadata, scheduler, contexts).
	loadOverhead = 48 << 20
	// tokenizerBytesPerToken is the host memory of the vocabulary tables per
	// token: type, score, the id-to-token vector and the token-to-id map.
	tokenizerBytesPerToken = 96
	// f32 is the size of the activations the compute graph holds.
	f32 = 4
)

// Estimate is the memory a model needs for given settings, with the
// per-layer detail that placement uses to split it between GPUs and the CPU.
// All sizes are bytes.
type Estimate struct {
	// Settings are the resolved settings (defaults filled).
	Settings Settings `json:"settings"`
	// Layers is the number of blocks.
	Layers int `json:"layers"`
	// Weights is the weights once, as in the file.
	Weights uint64 `json:"weights"`
	// KVCache is the KV cache of all layers and sequences.
	KVCache uint64 `json:"kv_cache"`
	// Compute is the compute buffers of a single-device run: the largest of
	// a layer's working set and the output projection's, plus the host's
	// input staging.
	Compute uint64 `json:"compute"`
	// Overhead is the host's fixed allocations: load-time contexts, the
	// tokenizer tables and the logits buffer.
	Overhead uint64 `json:"overhead"`
	// Total is Weights + KVCache + Compute + Overhead: what the model needs
	// when it runs on one device.
	Total uint64 `json:"total"`
	// BytesPerToken is the memory read to generate one token at half the
	// context filled: active weights, output projection and half the KV cache.
	BytesPerToken uint64 `json:"bytes_per_token"`

	weights        Weights
	layerKV        []uint64
	layerCompute   uint64 // per device holding blocks
	outputCompute  uint64 // on the device holding the output projection
	hostStaging    uint64 // on the host when every block is offloaded
	swaLayers      int
	kvCellsFull    int
	kvCellsSliding int
}

// LayerWeights returns the bytes of block i.
func (e Estimate) LayerWeights(i int) uint64 { return e.weights.Layers[i] }

// LayerKV returns the KV cache bytes of block i.
func (e Estimate) LayerKV(i int) uint64 { return e.layerKV[i] }

// WeightLayout returns the weight layout the estimate was made from.
func (e Estimate) WeightLayout() Weights { return e.weights }

// KVCells returns the cached tokens of a full-attention layer and of a
// sliding-window layer (both over all sequences).
func (e Estimate) KVCells() (full, sliding int) { return e.kvCellsFull, e.kvCellsSliding }

// EstimateMemory estimates the memory of a model of architecture a, with
// weights laid out as w, run with settings s.
//
// KV cache per layer: cells × (KV heads × (key + value length)) × bytes per
// element, where cells is context × parallel rounded up to 256, and for a
// sliding-window layer min(that, window × parallel + ubatch rounded up to
// 256). For the common case where key and value length equal the head dim,
// the whole cache is 2 × layers × context × parallel × KV heads × head dim ×
// bytes per element.
func EstimateMemory(a Architecture, w Weights, s Settings) (Estimate, error) {
	if err := a.Validate(); err != nil {
		return Estimate{}, err
	}
	if len(w.Layers) != a.Layers {
		return Estimate{}, fmt.Errorf("weights have %d layers, architecture %d", len(w.Layers), a.Layers)
	}
	s, err := s.resolve(a.ContextLength)
	if err != nil {
		return Estimate{}, err
	}
	e := Estimate{Settings: s, Layers: a.Layers, weights: w, layerKV: make([]uint64, a.Layers)}

	// KV cache.
	cells := pad(s.Context*s.Parallel, kvPad)
	slidingCells := cells
	if a.SlidingWindow > 0 {
		slidingCells = min(cells, pad(a.SlidingWindow*s.Parallel+s.UBatch, kvPad))
	}
	e.kvCellsFull, e.kvCellsSliding = cells, slidingCells
	if a.NonCausal {
		e.kvCellsFull, e.kvCellsSliding = 0, 0
	}
	kvType := s.KVType.ggml()
	kvWidthK := uint64(a.KVHeads * a.keyLength())
	kvWidthV := uint64(a.KVHeads * a.valueLength())
	for i := range a.Layers {
		if a.NonCausal {
			continue
		}
		c := uint64(cells)
		if a.SlidingLayer(i) {
			c = uint64(slidingCells)
			e.swaLayers++
		}
		e.layerKV[i] = kvType.RowBytes(kvWidthK*c) + kvType.RowBytes(kvWidthV*c)
		e.KVCache += e.layerKV[i]
	}

	// Compute buffers (llama.cpp reserves them for a full physical batch).
	u := uint64(min(s.UBatch, s.Context*s.Parallel))
	emb := uint64(a.Embedding)
	q := uint64(a.Heads * a.keyLength())
	kv := kvWidthK + kvWidthV
	ff := uint64(a.FeedForward)
	if a.Experts > 0 {
		ff = uint64(a.ExpertFeedForward) * uint64(a.ExpertsUsed+a.SharedExperts)
		ff = max(ff, uint64(a.FeedForward)) // a leading dense layer may be wider
	}
	maskCells := uint64(cells)
	if a.NonCausal {
		maskCells = u
	}
	mask := 2 * u * maskCells // f16 [kv cells, ubatch]
	if a.SlidingWindow > 0 {
		mask *= 2 // a second, windowed mask
	}
	attention := f32*u*(3*emb+q+kv) + mask
	if s.NoFlashAttention {
		attention += f32 * u * maskCells * uint64(a.Heads) // the KQ matrix
	}
	ffn := f32*u*(4*emb+q+3*ff) + mask
	if a.Experts > 0 {
		ffn += f32 * u * uint64(a.Experts) // router logits
	}
	e.layerCompute = max(attention, ffn)
	if !a.NonCausal {
		e.outputCompute = f32 * u * (uint64(a.Vocab) + emb)
	}
	e.hostStaging = f32 * u * (emb + 2) // input embeddings, positions and token ids

	// Overhead on the host.
	outputs := uint64(s.Parallel)
	e.Overhead = loadOverhead + tokenizerBytesPerToken*uint64(a.Vocab) + f32*outputs*(uint64(a.Vocab)+emb)

	e.Weights = w.File()
	e.Compute = max(e.layerCompute, e.outputCompute) + e.hostStaging
	e.Total = e.Weights + e.KVCache + e.Compute + e.Overhead
	e.BytesPerToken = uint64(float64(w.Blocks())*w.ActiveFraction) + w.Output + e.KVCache/2
	return e, nil
}

// pad rounds n up to a multiple of to.
func pad(n, to int) int { return (n + to - 1) / to * to }
