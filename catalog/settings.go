package catalog

import "fmt"

// DefaultContext is the context used when Settings.Context is zero (capped
// at the model's trained context).
const DefaultContext = 8192

// DefaultUBatch is llama.cpp's default physical batch (-ub).
const DefaultUBatch = 512

// Settings are the run settings an estimate depends on, named after the
// llama.cpp options they mirror. The zero value means: 8192 tokens of
// context (or the model's maximum if smaller), one sequence, an f16 KV cache,
// flash attention, and as many GPU layers as fit.
type Settings struct {
	// Context is the context per sequence in tokens (-c divided by -np).
	Context int `json:"context"`
	// Parallel is the number of sequences served at once (-np).
	Parallel int `json:"parallel"`
	// KVType is the KV cache type (-ctk/-ctv).
	KVType KVType `json:"kv_type"`
	// FixedGPULayers makes GPULayers binding; otherwise placement offloads as
	// many layers as fit.
	FixedGPULayers bool `json:"fixed_gpu_layers,omitempty"`
	// GPULayers is llama.cpp's -ngl when FixedGPULayers is set: the output
	// layer counts as one, so layers+1 (or more) offloads everything and 0
	// runs on the CPU.
	GPULayers int `json:"gpu_layers,omitempty"`
	// UBatch is the physical batch (-ub); 0 means 512.
	UBatch int `json:"ubatch,omitempty"`
	// NoFlashAttention prices the attention without flash attention (-fa off),
	// which needs a KQ matrix per head.
	NoFlashAttention bool `json:"no_flash_attention,omitempty"`
}

// resolve fills defaults for a model of the given trained context.
func (s Settings) resolve(modelContext int) (Settings, error) {
	if s.Context < 0 || s.Parallel < 0 || s.UBatch < 0 {
		return s, fmt.Errorf("context, parallel and ubatch must not be negative")
	}
	if s.Context == 0 {
		s.Context = min(DefaultContext, modelContext)
	}
	if s.Parallel == 0 {
		s.Parallel = 1
	}
	kv, err := ParseKVType(string(s.KVType))
	if err != nil {
		return s, err
	}
	s.KVType = kv
	if s.UBatch == 0 {
		s.UBatch = DefaultUBatch
	}
	if s.FixedGPULayers && s.GPULayers < 0 {
		return s, fmt.Errorf("gpu layers must not be negative, got %d", s.GPULayers)
	}
	if s.KVType != KVF16 && s.NoFlashAttention {
		// llama.cpp needs flash attention for a quantized V cache.
		return s, fmt.Errorf("a %s KV cache needs flash attention", s.KVType)
	}
	return s, nil
}
