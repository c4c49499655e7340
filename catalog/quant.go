package catalog

import (
	"fmt"
	"sort"
	"strings"
)

// Quant describes one llama.cpp quantization preset (a GGUF "file type").
type Quant struct {
	// Name is the preset name, upper case, like "Q4_K_M".
	Name string `json:"name"`
	// BitsPerWeight is the effective storage cost over the whole file,
	// mixed tensor types and the higher-precision output layer included.
	BitsPerWeight float64 `json:"bits_per_weight"`
	// QualityFactor multiplies a model's quality score: 1 for presets whose
	// loss is within the noise of benchmark scores, less for the aggressive
	// ones.
	QualityFactor float64 `json:"quality_factor"`
	// FileType is the value of general.file_type (llama_ftype) in a GGUF file.
	FileType uint32 `json:"file_type"`
}

// quantTable lists the presets the catalog knows. BitsPerWeight is the size of
// typical llama.cpp files of that preset divided by their parameter count
// (measured over Llama-3.1-8B-Instruct quantizations; the 70B and 32B files
// agree within 2%). QualityFactor follows the perplexity and KL-divergence
// tables published with llama.cpp's quantize tool: from Q4_K_M up the loss
// is a fraction of a benchmark point, within the noise of the scores, so
// those presets all count as 1 and the ranking prefers the faster one; below
// 4 bits the loss is several points.
var quantTable = []Quant{
	{Name: "F32", BitsPerWeight: 32, QualityFactor: 1, FileType: 0},
	{Name: "F16", BitsPerWeight: 16, QualityFactor: 1, FileType: 1},
	{Name: "BF16", BitsPerWeight: 16, QualityFactor: 1, FileType: 32},
	{Name: "Q8_0", BitsPerWeight: 8.50, QualityFactor: 1, FileType: 7},
	{Name: "Q6_K", BitsPerWeight: 6.57, QualityFactor: 1, FileType: 18},
	{Name: "Q5_K_M", BitsPerWeight: 5.70, QualityFactor: 1, FileType: 17},
	{Name: "Q5_K_S", BitsPerWeight: 5.54, QualityFactor: 1, FileType: 16},
	{Name: "Q5_0", BitsPerWeight: 5.54, QualityFactor: 0.995, FileType: 8},
	{Name: "Q4_K_M", BitsPerWeight: 4.89, QualityFactor: 1, FileType: 15},
	{Name: "Q4_K_S", BitsPerWeight: 4.67, QualityFactor: 0.99, FileType: 14},
	{Name: "Q4_0", BitsPerWeight: 4.64, QualityFactor: 0.98, FileType: 2},
	{Name: "IQ4_XS", BitsPerWeight: 4.43, QualityFactor: 0.99, FileType: 30},
	{Name: "IQ4_NL", BitsPerWeight: 4.64, QualityFactor: 0.99, FileType: 25},
	{Name: "Q3_K_L", BitsPerWeight: 4.30, QualityFactor: 0.96, FileType: 13},
	{Name: "Q3_K_M", BitsPerWeight: 4.00, QualityFactor: 0.95, FileType: 12},
	{Name: "IQ3_M", BitsPerWeight: 3.76, QualityFactor: 0.945, FileType: 27},
	{Name: "Q3_K_S", BitsPerWeight: 3.66, QualityFactor: 0.92, FileType: 11},
	{Name: "IQ3_XXS", BitsPerWeight: 3.30, QualityFactor: 0.90, FileType: 23},
	{Name: "Q2_K", BitsPerWeight: 3.17, QualityFactor: 0.85, FileType: 10},
	{Name: "IQ2_M", BitsPerWeight: 2.93, QualityFactor: 0.83, FileType: 29},
	{Name: "IQ2_XS", BitsPerWeight: 2.60, QualityFactor: 0.78, FileType: 20},
	{Name: "MXFP4_MOE", BitsPerWeight: 4.25, QualityFactor: 0.99, FileType: 38},
}

// LookupQuant returns the preset with the given name, case-insensitively.
func LookupQuant(name string) (Quant, bool) {
	n := strings.ToUpper(strings.TrimSpace(name))
	for _, q := range quantTable {
		if q.Name == n {
			return q, true
		}
	}
	return Quant{}, false
}

// QuantByFileType returns the preset of a GGUF general.file_type value.
func QuantByFileType(ft uint32) (Quant, bool) {
	for _, q := range quantTable {
		if q.FileType == ft {
			return q, true
		}
	}
	return Quant{}, false
}

// Quants returns every known preset, from the largest to the smallest.
func Quants() []Quant {
	out := append([]Quant(nil), quantTable...)
	sort.SliceStable(out, func(i, j int) bool { return out[i].BitsPerWeight > out[j].BitsPerWeight })
	return out
}

// KVType is the element type of the KV cache (llama.cpp --cache-type-k/-v).
type KVType string

// The KV cache types llama.cpp offers for both K and V.
const (
	KVF16  KVType = "f16"
	KVQ8_0 KVType = "q8_0"
	KVQ4_0 KVType = "q4_0"
)

// ParseKVType parses "f16", "q8_0" or "q4_0" (case-insensitive); "" is f16.
func ParseKVType(s string) (KVType, error) {
	switch KVType(strings.ToLower(strings.TrimSpace(s))) {
	case "", KVF16:
		return KVF16, nil
	case KVQ8_0:
		return KVQ8_0, nil
	case KVQ4_0:
		return KVQ4_0, nil
	}
	return "", fmt.Errorf("unknown KV cache type %q: want f16, q8_0 or q4_0", s)
}

// ggml returns the GGML type that stores the cache.
func (k KVType) ggml() GGMLType {
	switch k {
	case KVQ8_0:
		return TypeQ8_0
	case KVQ4_0:
		return TypeQ4_0
	}
	return TypeF16
}

// BytesPerElement returns the storage cost of one cached element: 2 for f16,
// 34/32 for q8_0, 18/32 for q4_0.
func (k KVType) BytesPerElement() float64 { return k.ggml().BitsPerWeight() / 8 }
