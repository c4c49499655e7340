package catalog

import (
	"bytes"
	"encoding/json"
	"fmt"
	"os"
)

// ParseProfile reads a hardware profile in JSON: one that `flywheel catalog
// detect --json` saved, or one written by hand for planning, with sizes as
// numbers of bytes or strings like "24GB". Unknown keys are errors. Missing
// bandwidths are filled in as detection would, and the tier is recomputed.
// memory.total is required; memory.available defaults to it.
func ParseProfile(data []byte) (Hardware, error) {
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.DisallowUnknownFields()
	var h Hardware
	if err := dec.Decode(&h); err != nil {
		return Hardware{}, fmt.Errorf("hardware profile: %w", err)
	}
	if h.Memory.Total == 0 {
		return Hardware{}, fmt.Errorf(`hardware profile: memory.total is required (e.g. "memory": {"total": "32GB"}): the RAM decides what runs beside the GPUs`)
	}
	for i := range h.GPUs {
		fillGPUBandwidth(&h.GPUs[i], h.GPUs)
	}
	fillCPUBandwidth(&h.CPU)
	if h.CPU.Features == nil {
		h.CPU.Features = []string{}
	}
	h.Tier = Classify(h)
	return h, nil
}

// LoadProfile reads a hardware profile file; errors name the file.
func LoadProfile(path string) (Hardware, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return Hardware{}, err
	}
	h, err := ParseProfile(data)
	if err != nil {
		return Hardware{}, fmt.Errorf("%s: %w", path, err)
	}
	return h, nil
}
