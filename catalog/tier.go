package catalog

import (
	"encoding/json"
	"fmt"
)

// Tier is a class of hardware, from CPU_ONLY to MULTI_GPU.
type Tier int

// The tiers, smallest first. Their boundaries are in [Tiers].
const (
	TierCPUOnly Tier = iota
	TierIGPU
	TierLowVRAM
	TierMidVRAM
	TierHighVRAM
	TierVeryHighVRAM
	TierMultiGPU
)

// TierBoundary is one row of the tier table.
type TierBoundary struct {
	// Tier is the tier the row describes.
	Tier Tier
	// Name is the tier's name as printed and stored in profiles.
	Name string
	// MinVRAM and MaxVRAM bound the VRAM of the largest usable GPU, in
	// decimal bytes: MinVRAM <= VRAM < MaxVRAM. Zero MaxVRAM means no upper
	// bound. Both are zero for the tiers not defined by VRAM.
	MinVRAM, MaxVRAM Bytes
	// Rule says in words when a machine is in the tier.
	Rule string
	// Reference is the memory of a typical machine of the tier, used to
	// report the smallest tier a model fits on (VRAM for GPU tiers, RAM for
	// the others).
	Reference Bytes
}

// Tiers returns the one table of tier boundaries, smallest tier first (a
// copy). VRAM is compared in decimal gigabytes, the unit cards are sold in:
// an "8 GB" card reports 8188 MiB (8.59 GB) and a "24 GB" card 24564 MiB
// (25.8 GB), so both land in the tier their box names.
func Tiers() []TierBoundary { return append([]TierBoundary(nil), tierTable[:]...) }

// tierTable backs [Tiers]; an array, so that it cannot grow or be replaced.
var tierTable = [...]TierBoundary{
	{Tier: TierCPUOnly, Name: "CPU_ONLY", Rule: "no usable GPU", Reference: 16e9},
	{Tier: TierIGPU, Name: "IGPU", Rule: "an integrated GPU sharing system memory, no discrete GPU", Reference: 16e9},
	{Tier: TierLowVRAM, Name: "LOW_VRAM_GPU", MinVRAM: 0, MaxVRAM: 8e9, Rule: "one GPU, VRAM < 8 GB", Reference: 6e9},
	{Tier: TierMidVRAM, Name: "MID_VRAM_GPU", MinVRAM: 8e9, MaxVRAM: 16e9, Rule: "one GPU, 8 GB <= VRAM < 16 GB", Reference: 12e9},
	{Tier: TierHighVRAM, Name: "HIGH_VRAM_GPU", MinVRAM: 16e9, MaxVRAM: 24e9, Rule: "one GPU, 16 GB <= VRAM < 24 GB", Reference: 16e9},
	{Tier: TierVeryHighVRAM, Name: "VERY_HIGH_VRAM_GPU", MinVRAM: 24e9, Rule: "one GPU, VRAM >= 24 GB", Reference: 24e9},
	{Tier: TierMultiGPU, Name: "MULTI_GPU", Rule: "two or more usable GPUs of one vendor (one process can split layers across them)", Reference: 48e9},
}

// String returns the tier's name, like "MID_VRAM_GPU".
func (t Tier) String() string {
	if t >= 0 && int(t) < len(tierTable) {
		return tierTable[t].Name
	}
	return fmt.Sprintf("Tier(%d)", int(t))
}

// ParseTier parses a tier name.
func ParseTier(s string) (Tier, error) {
	for _, b := range tierTable {
		if b.Name == s {
			return b.Tier, nil
		}
	}
	return 0, fmt.Errorf("unknown tier %q", s)
}

// MarshalJSON writes the tier's name.
func (t Tier) MarshalJSON() ([]byte, error) { return json.Marshal(t.String()) }

// UnmarshalJSON reads a tier name.
func (t *Tier) UnmarshalJSON(b []byte) error {
	var s string
	if err := json.Unmarshal(b, &s); err != nil {
		return err
	}
	v, err := ParseTier(s)
	if err != nil {
		return err
	}
	*t = v
	return nil
}

// Classify returns the tier of a machine: MULTI_GPU when two or more usable
// GPUs can work together, else the VRAM tier of the largest usable GPU (a
// MIG instance counts by its own memory), else IGPU when an integrated GPU
// is present, else CPU_ONLY.
func Classify(h Hardware) Tier {
	if len(h.poolGPUs()) >= 2 {
		return TierMultiGPU
	}
	if gpus := h.UsableGPUs(); len(gpus) > 0 {
		var largest Bytes
		for _, g := range gpus {
			largest = max(largest, g.VRAMTotal)
		}
		return vramTier(largest)
	}
	if _, ok := h.IntegratedGPU(); ok {
		return TierIGPU
	}
	return TierCPUOnly
}

// vramTier returns the single-GPU tier of a VRAM size.
func vramTier(v Bytes) Tier {
	for _, b := range tierTable {
		if b.MaxVRAM == 0 && b.MinVRAM == 0 {
			continue
		}
		if v >= b.MinVRAM && (b.MaxVRAM == 0 || v < b.MaxVRAM) {
			return b.Tier
		}
	}
	return TierLowVRAM
}
