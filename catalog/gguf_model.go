package catalog

import (
	"errors"
	"fmt"
	"strconv"
	"strings"
)

// swaPeriods is llama.cpp's sliding-window layout of the architectures that
// hard-code it (src/models/*.cpp): the period between global layers. The
// converter rarely writes <arch>.attention.sliding_window_pattern, so the
// file alone does not say it.
var swaPeriods = map[string]int{
	"gemma2": 2, "gemma3": 6, "gemma3n": 5, "cohere2": 4, "llama4": 4, "gpt-oss": 2,
}

// swaDefaultWindow is the window of the architectures whose files may omit
// <arch>.attention.sliding_window.
var swaDefaultWindow = map[string]int{"gemma2": 4096, "llama4": 8192}

// Architecture reads the numbers an estimate needs from the file's
// metadata ("<arch>.block_count", ".embedding_length", ".attention.*",
// ".expert_*") and its tensors (parameter counts, vocabulary from
// token_embd's shape, tied embeddings when there is no output.weight).
func (g *GGUFFile) Architecture() (Architecture, error) {
	name, ok := g.String("general.architecture")
	if !ok || name == "" {
		return Architecture{}, errors.New("gguf: general.architecture is missing")
	}
	num := func(key string) int {
		v, _ := g.Uint(name + "." + key)
		return int(min(v, 1<<31))
	}
	a := Architecture{
		Name:              name,
		Layers:            num("block_count"),
		Embedding:         num("embedding_length"),
		FeedForward:       num("feed_forward_length"),
		Heads:             num("attention.head_count"),
		KVHeads:           num("attention.head_count_kv"),
		KeyLength:         num("attention.key_length"),
		ValueLength:       num("attention.value_length"),
		ContextLength:     num("context_length"),
		SlidingWindow:     num("attention.sliding_window"),
		Experts:           num("expert_count"),
		ExpertsUsed:       num("expert_used_count"),
		ExpertFeedForward: num("expert_feed_forward_length"),
		SharedExperts:     num("expert_shared_count"),
		Vocab:             num("vocab_size"),
	}
	if a.KVHeads == 0 {
		a.KVHeads = a.Heads
	}
	if a.Heads > 0 {
		a.HeadDim = a.Embedding / a.Heads
	}
	if a.KeyLength > 0 {
		a.HeadDim = a.KeyLength
	}
	if a.KeyLength == a.HeadDim && (a.ValueLength == 0 || a.ValueLength == a.HeadDim) {
		a.KeyLength, a.ValueLength = 0, 0 // the common case: nothing to override
	}
	if mk, mv := num("attention.key_length_mla"), num("attention.value_length_mla"); mk > 0 && mv > 0 {
		a.HeadDim = mk // the per-head size of the decompressed attention
	}
	if a.SlidingWindow == 0 {
		a.SlidingWindow = swaDefaultWindow[name]
	}
	if a.SlidingWindow > 0 {
		a.SlidingWindowPattern = swaPeriods[name]
		if p := num("attention.sliding_window_pattern"); p > 0 {
			a.SlidingWindowPattern = p
		}
	}
	if causal, ok := g.Bool(name + ".attention.causal"); ok && !causal {
		a.NonCausal = true
	}
	if strings.Contains(name, "bert") {
		a.NonCausal = true
	}

	hasOutput := false
	var total, expertElems uint64
	for _, t := range g.Tensors {
		n := t.Elements()
		total += n
		switch {
		case t.Name == "output.weight":
			hasOutput = true
		case t.Name == "token_embd.weight" && len(t.Dims) == 2:
			if a.Vocab == 0 {
				a.Vocab = int(t.Dims[1])
			}
		case strings.Contains(t.Name, "_exps."):
			expertElems += n
		}
	}
	if a.Vocab == 0 {
		if n, ok := g.ArrayLen("tokenizer.ggml.tokens"); ok {
			a.Vocab = int(n)
		}
	}
	a.TiedEmbeddings = !hasOutput && !a.NonCausal
	a.Parameters = Count(total)
	if a.Experts > 0 && a.ExpertsUsed > 0 {
		unused := float64(expertElems) * float64(a.Experts-a.ExpertsUsed) / float64(a.Experts)
		a.ActiveParameters = Count(float64(total) - unused)
	}
	if a.Experts > 0 && a.ExpertFeedForward == 0 {
		a.ExpertFeedForward = a.FeedForward
	}
	if a.ContextLength == 0 {
		return a, fmt.Errorf("gguf: %s.context_length is missing", name)
	}
	return a, nil
}

// Weights lays out the file's tensors as llama.cpp places them: token and
// position embeddings as Input, output and output_norm as Output (with tied
// embeddings, the copy of token_embd the output device needs), and each
// blk.N.* tensor in block N. Expert tensors count towards ActiveFraction by
// the share of experts used per token.
func (g *GGUFFile) Weights(a Architecture) (Weights, error) {
	w := Weights{Layers: make([]uint64, a.Layers), Tied: a.TiedEmbeddings}
	var embd, blocks, active float64
	for _, t := range g.Tensors {
		b := t.Bytes()
		switch {
		case strings.HasPrefix(t.Name, "blk."):
			rest := strings.TrimPrefix(t.Name, "blk.")
			idx, _, _ := strings.Cut(rest, ".")
			i, err := strconv.Atoi(idx)
			if err != nil || i < 0 || i >= a.Layers {
				return Weights{}, fmt.Errorf("gguf: tensor %s is outside the %d blocks", t.Name, a.Layers)
			}
			w.Layers[i] += b
			blocks += float64(b)
			if strings.Contains(t.Name, "_exps.") && a.Experts > 0 {
				active += float64(b) * float64(a.ExpertsUsed) / float64(a.Experts)
			} else {
				active += float64(b)
			}
		case t.Name == "token_embd.weight":
			w.Input += b
			embd = float64(b)
		case strings.HasPrefix(t.Name, "token_") || strings.HasPrefix(t.Name, "position_"):
			w.Input += b
		default: // output, output_norm, rope factors, classifier heads
			w.Output += b
		}
	}
	if w.Tied {
		w.Output += uint64(embd)
	}
	w.ActiveFraction = 1
	if blocks > 0 {
		w.ActiveFraction = active / blocks
	}
	return w, nil
}

// Quant returns the file's quantization preset from general.file_type, and
// otherwise names it by its most common tensor type.
func (g *GGUFFile) Quant() (Quant, bool) {
	if ft, ok := g.Uint("general.file_type"); ok {
		if q, ok := QuantByFileType(uint32(ft)); ok {
			return q, true
		}
	}
	bytesByType := map[GGMLType]uint64{}
	var best GGMLType
	for _, t := range g.Tensors {
		bytesByType[t.Type] += t.Bytes()
		if bytesByType[t.Type] > bytesByType[best] {
			best = t.Type
		}
	}
	return LookupQuant(best.String())
}

// EstimateFile estimates a GGUF file from its own header: its architecture
// and the size of each of its tensors.
func EstimateFile(g *GGUFFile, s Settings) (Architecture, Estimate, error) {
	a, err := g.Architecture()
	if err != nil {
		return a, Estimate{}, err
	}
	w, err := g.Weights(a)
	if err != nil {
		return a, Estimate{}, err
	}
	e, err := EstimateMemory(a, w, s)
	return a, e, err
}
