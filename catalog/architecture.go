package catalog

import (
	"errors"
	"fmt"
)

// Architecture holds the numbers of a transformer that memory and speed
// estimates need. The catalog stores them per model; [GGUFFile.Architecture]
// reads them from a file's metadata.
type Architecture struct {
	// Name is the llama.cpp architecture name, like "llama", "qwen2" or
	// "gemma3".
	Name string `yaml:"name" json:"name"`
	// Parameters is the total parameter count, embeddings included.
	Parameters Count `yaml:"parameters" json:"parameters"`
	// ActiveParameters is the parameter count used per token by a
	// mixture-of-experts model; 0 means all of them (a dense model).
	ActiveParameters Count `yaml:"active_parameters,omitempty" json:"active_parameters,omitempty"`
	// Layers is the number of transformer blocks.
	Layers int `yaml:"layers" json:"layers"`
	// Embedding is the hidden size (n_embd).
	Embedding int `yaml:"embedding" json:"embedding"`
	// FeedForward is the dense feed-forward size (n_ff); for a
	// mixture-of-experts model, that of its dense layers, if any.
	FeedForward int `yaml:"feed_forward,omitempty" json:"feed_forward,omitempty"`
	// Heads is the number of attention (query) heads.
	Heads int `yaml:"heads" json:"heads"`
	// KVHeads is the number of key/value heads (grouped-query attention).
	KVHeads int `yaml:"kv_heads" json:"kv_heads"`
	// HeadDim is the size of one attention head.
	HeadDim int `yaml:"head_dim" json:"head_dim"`
	// KeyLength and ValueLength are the cached key and value sizes per KV
	// head, when they differ from HeadDim (multi-head latent attention caches
	// a compressed latent: 576 and 512 for DeepSeek-V2).
	KeyLength   int `yaml:"key_length,omitempty" json:"key_length,omitempty"`
	ValueLength int `yaml:"value_length,omitempty" json:"value_length,omitempty"`
	// ContextLength is the trained context in tokens.
	ContextLength int `yaml:"context_length" json:"context_length"`
	// SlidingWindow is the attention window of sliding-window layers in
	// tokens; 0 means none.
	SlidingWindow int `yaml:"sliding_window,omitempty" json:"sliding_window,omitempty"`
	// SlidingWindowPattern is llama.cpp's period between global layers: with
	// a period n, layer i slides when i mod n < n-1 (Gemma 2: 2, one layer in
	// two; Gemma 3: 6, five local layers per global one). 0 means every
	// layer slides.
	SlidingWindowPattern int `yaml:"sliding_window_pattern,omitempty" json:"sliding_window_pattern,omitempty"`
	// Experts and ExpertsUsed are the routed experts per layer and those used
	// per token; 0 for a dense model.
	Experts     int `yaml:"experts,omitempty" json:"experts,omitempty"`
	ExpertsUsed int `yaml:"experts_used,omitempty" json:"experts_used,omitempty"`
	// ExpertFeedForward is the feed-forward size of one expert.
	ExpertFeedForward int `yaml:"expert_feed_forward,omitempty" json:"expert_feed_forward,omitempty"`
	// SharedExperts is the number of always-active shared experts.
	SharedExperts int `yaml:"shared_experts,omitempty" json:"shared_experts,omitempty"`
	// Vocab is the vocabulary size.
	Vocab int `yaml:"vocab" json:"vocab"`
	// TiedEmbeddings is true when the output projection reuses the token
	// embeddings (no output.weight tensor).
	TiedEmbeddings bool `yaml:"tied_embeddings,omitempty" json:"tied_embeddings,omitempty"`
	// NonCausal is true for encoder models (BERT-style embedding models),
	// which llama.cpp runs without a KV cache.
	NonCausal bool `yaml:"non_causal,omitempty" json:"non_causal,omitempty"`
}

// keyLength returns the cached key size per KV head.
func (a Architecture) keyLength() int {
	if a.KeyLength > 0 {
		return a.KeyLength
	}
	return a.HeadDim
}

// valueLength returns the cached value size per KV head.
func (a Architecture) valueLength() int {
	if a.ValueLength > 0 {
		return a.ValueLength
	}
	return a.HeadDim
}

// IsMoE reports whether the model routes tokens through experts.
func (a Architecture) IsMoE() bool { return a.Experts > 0 }

// SlidingLayer reports whether layer i uses sliding-window attention.
func (a Architecture) SlidingLayer(i int) bool {
	if a.SlidingWindow <= 0 {
		return false
	}
	p := a.SlidingWindowPattern
	return p == 0 || i%p < p-1
}

// SlidingLayers returns how many layers use sliding-window attention.
func (a Architecture) SlidingLayers() int {
	n := 0
	for i := range a.Layers {
		if a.SlidingLayer(i) {
			n++
		}
	}
	return n
}

// Validate checks that the numbers are usable for an estimate.
func (a Architecture) Validate() error {
	var errs []error
	positive := func(name string, v int) {
		if v <= 0 {
			errs = append(errs, fmt.Errorf("%s must be positive, got %d", name, v))
		}
	}
	if a.Parameters == 0 {
		errs = append(errs, errors.New("parameters must be positive"))
	}
	positive("layers", a.Layers)
	positive("embedding", a.Embedding)
	positive("heads", a.Heads)
	positive("kv_heads", a.KVHeads)
	positive("head_dim", a.HeadDim)
	positive("context_length", a.ContextLength)
	positive("vocab", a.Vocab)
	if a.KVHeads > 0 && a.Heads > 0 && a.Heads%a.KVHeads != 0 && a.KeyLength == 0 {
		errs = append(errs, fmt.Errorf("heads (%d) must be a multiple of kv_heads (%d)", a.Heads, a.KVHeads))
	}
	if a.ActiveParameters > a.Parameters {
		errs = append(errs, fmt.Errorf("active_parameters (%d) exceeds parameters (%d)", a.ActiveParameters, a.Parameters))
	}
	if a.Experts > 0 && (a.ExpertsUsed <= 0 || a.ExpertsUsed > a.Experts) {
		errs = append(errs, fmt.Errorf("experts_used must be in 1..%d, got %d", a.Experts, a.ExpertsUsed))
	}
	if a.Experts > 0 && a.ExpertFeedForward <= 0 {
		errs = append(errs, errors.New("expert_feed_forward must be positive for a mixture of experts"))
	}
	if a.Experts == 0 && a.FeedForward <= 0 {
		errs = append(errs, errors.New("feed_forward must be positive for a dense model"))
	}
	if a.SlidingWindowPattern < 0 || a.SlidingWindow < 0 {
		errs = append(errs, errors.New("sliding_window and sliding_window_pattern must not be negative"))
	}
	if a.embeddingParameters()*a.embeddingCopies() >= uint64(a.Parameters) && a.Parameters > 0 {
		errs = append(errs, fmt.Errorf("parameters (%d) must exceed the embeddings (%d)", a.Parameters, a.embeddingParameters()*a.embeddingCopies()))
	}
	return errors.Join(errs...)
}

// embeddingParameters is the size of the token embedding matrix.
func (a Architecture) embeddingParameters() uint64 { return uint64(a.Vocab) * uint64(a.Embedding) }

// embeddingCopies is 1 when the output reuses the embeddings, 2 otherwise.
func (a Architecture) embeddingCopies() uint64 {
	if a.TiedEmbeddings || a.NonCausal {
		return 1
	}
	return 2
}

// WeightsFor lays out the weights of a model of this architecture quantized
// with q, from the parameter count: the token embeddings, the output
// projection and equal blocks share the parameters, each at q's effective
// bits per weight.
func (a Architecture) WeightsFor(q Quant) Weights {
	bytes := func(params uint64) uint64 { return uint64(float64(params) * q.BitsPerWeight / 8) }
	embed := a.embeddingParameters()
	blockParams := uint64(a.Parameters) - embed*a.embeddingCopies()
	w := Weights{
		Input:  bytes(embed),
		Tied:   a.TiedEmbeddings,
		Layers: make([]uint64, a.Layers),
	}
	if !a.NonCausal {
		w.Output = w.Input // untied: a separate matrix of the same shape; tied: a copy of it
	}
	per := bytes(blockParams) / uint64(a.Layers)
	for i := range w.Layers {
		w.Layers[i] = per
	}
	w.ActiveFraction = 1
	if a.ActiveParameters > 0 && a.ActiveParameters < a.Parameters {
		activeBlocks := float64(a.ActiveParameters) - float64(embed*a.embeddingCopies())
		if activeBlocks > 0 {
			w.ActiveFraction = activeBlocks / float64(blockParams)
		}
	}
	return w
}

// Weights is a model's weights in bytes, laid out as llama.cpp places them:
// the token embeddings stay in system memory, the output projection goes
// with the last offloaded layer, and blocks go to the CPU or a GPU one by one.
type Weights struct {
	// Input is the token (and position) embeddings.
	Input uint64 `json:"input"`
	// Output is the output norm and projection. With tied embeddings it is
	// the copy of the embeddings that the output device needs.
	Output uint64 `json:"output"`
	// Tied is true when Output is a copy of Input rather than its own tensor.
	Tied bool `json:"tied,omitempty"`
	// Layers is the bytes of each block.
	Layers []uint64 `json:"-"`
	// ActiveFraction is the share of block bytes read per generated token: 1
	// for a dense model, about active/total for a mixture of experts.
	ActiveFraction float64 `json:"active_fraction"`
}

// Blocks returns the bytes of all blocks.
func (w Weights) Blocks() uint64 {
	var n uint64
	for _, b := range w.Layers {
		n += b
	}
	return n
}

// File returns the bytes the weights take in the file: each tensor once.
func (w Weights) File() uint64 {
	n := w.Input + w.Blocks()
	if w.Tied {
		n += w.Output - min(w.Output, w.Input) // the output norm; the matrix is the embeddings
	} else {
		n += w.Output
	}
	return n
}
