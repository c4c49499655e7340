package catalog

import (
	"context"
	"encoding/json"
	"fmt"
	"math"
	"strconv"
	"strings"
)

// nvidiaUsageQuery is the nvidia-smi query usage sampling runs.
const nvidiaUsageQuery = "index,uuid,name,utilization.gpu,memory.used,memory.total"

// rocmUsageArgs are the rocm-smi arguments usage sampling runs.
var rocmUsageArgs = []string{"--showuse", "--showmeminfo", "vram", "--showproductname", "--json"}

// GPUUsage is how busy one GPU is at a moment: what [Detector.SampleGPUs]
// reads, as opposed to what the GPU is ([GPU]).
type GPUUsage struct {
	// Index is the tool's index (nvidia-smi index, rocm-smi card number).
	Index int `json:"index"`
	// Vendor is the maker.
	Vendor Vendor `json:"vendor"`
	// Name is the product name.
	Name string `json:"name"`
	// UUID identifies the device when the tool reports one.
	UUID string `json:"uuid,omitempty"`
	// Utilization is the share of time the GPU was busy over the tool's
	// last sample period, in [0,1]; NaN when the tool does not say (a GPU
	// in MIG mode, some integrated GPUs).
	Utilization float64 `json:"utilization"`
	// MemoryUsed and MemoryTotal are the dedicated memory in use and in
	// all; MemoryTotal is 0 when the tool does not say (GPUs that share
	// system memory).
	MemoryUsed  Bytes `json:"memory_used"`
	MemoryTotal Bytes `json:"memory_total"`
}

// MemoryRatio returns MemoryUsed / MemoryTotal, or NaN when the total is
// unknown.
func (u GPUUsage) MemoryRatio() float64 {
	if u.MemoryTotal == 0 {
		return math.NaN()
	}
	return float64(u.MemoryUsed) / float64(u.MemoryTotal)
}

// SampleGPUs reads the utilisation and memory of every GPU that vendor's
// tool lists: nvidia-smi for [VendorNVIDIA], rocm-smi for [VendorAMD]. It
// runs the tool under the detector's timeout, like detection. found is
// false when the tool is not installed (or the vendor has no tool); err is
// set when the tool ran and failed, or its output could not be read.
func (d Detector) SampleGPUs(ctx context.Context, vendor Vendor) (usage []GPUUsage, found bool, err error) {
	var out []byte
	switch vendor {
	case VendorNVIDIA:
		out, found, err = d.run(ctx, "nvidia-smi", "--query-gpu="+nvidiaUsageQuery, "--format=csv,noheader,nounits")
	case VendorAMD:
		out, found, err = d.run(ctx, "rocm-smi", rocmUsageArgs...)
	default:
		return nil, false, nil
	}
	if !found || err != nil {
		return nil, found, err
	}
	if vendor == VendorNVIDIA {
		usage, err = parseNvidiaUsage(out)
	} else {
		usage, err = parseROCmUsage(out)
	}
	if err != nil {
		return nil, true, fmt.Errorf("%s: %w", GPUTool(vendor), err)
	}
	return usage, true, nil
}

// GPUTool names the program [Detector.SampleGPUs] runs for vendor, or ""
// when the vendor has none.
func GPUTool(vendor Vendor) string {
	switch vendor {
	case VendorNVIDIA:
		return "nvidia-smi"
	case VendorAMD:
		return "rocm-smi"
	}
	return ""
}

// parseNvidiaUsage parses the CSV of nvidiaUsageQuery
// (--format=csv,noheader,nounits): one GPU per line, utilisation in
// percent, memory in MiB, placeholders like "[N/A]" for unknown values.
func parseNvidiaUsage(out []byte) ([]GPUUsage, error) {
	recs, err := nvRecords(out)
	if err != nil {
		return nil, err
	}
	var usage []GPUUsage
	for _, rec := range recs {
		if len(rec) != 6 {
			return nil, fmt.Errorf("parse: want 6 fields, got %d in %q", len(rec), strings.Join(rec, ","))
		}
		idx, err := strconv.Atoi(strings.TrimSpace(rec[0]))
		if err != nil {
			return nil, fmt.Errorf("parse: index %q: %w", rec[0], err)
		}
		u := GPUUsage{Index: idx, Vendor: VendorNVIDIA, UUID: nvValue(rec[1]), Name: nvValue(rec[2]),
			Utilization: percentRatio(nvValue(rec[3])), MemoryUsed: nvMiB(rec[4]), MemoryTotal: nvMiB(rec[5])}
		if u.MemoryUsed > u.MemoryTotal {
			u.MemoryTotal = 0 // not a reading to trust
		}
		usage = append(usage, u)
	}
	return usage, nil
}

// parseROCmUsage parses rocm-smi --showuse --showmeminfo vram
// --showproductname --json: the cards as detection reads them
// ([parseROCmSMI]), plus "GPU use (%)" and "VRAM Total Used Memory (B)".
func parseROCmUsage(out []byte) ([]GPUUsage, error) {
	gpus, err := parseROCmSMI(out)
	if err != nil {
		return nil, err
	}
	var doc map[string]map[string]any
	if err := json.Unmarshal(out, &doc); err != nil {
		return nil, fmt.Errorf("parse: %w", err)
	}
	usage := make([]GPUUsage, 0, len(gpus))
	for _, g := range gpus {
		card := doc["card"+strconv.Itoa(g.Index)]
		u := GPUUsage{Index: g.Index, Vendor: VendorAMD, Name: g.Name, UUID: g.UUID,
			Utilization: percentRatio(lookupFold(card, "GPU use (%)")), MemoryTotal: g.VRAMTotal}
		used := lookupFold(card, "VRAM Total Used Memory (B)")
		if v, err := strconv.ParseUint(used, 10, 64); err == nil && Bytes(v) <= u.MemoryTotal {
			u.MemoryUsed = Bytes(v)
		} else {
			u.MemoryTotal = 0 // used unknown: no memory reading
		}
		usage = append(usage, u)
	}
	return usage, nil
}

// percentRatio turns a percentage ("37", "37.5") into a ratio in [0,1]; an
// empty, unparsable or out-of-range value is NaN.
func percentRatio(s string) float64 {
	v, err := strconv.ParseFloat(strings.TrimSuffix(strings.TrimSpace(s), "%"), 64)
	if err != nil || v < 0 || v > 100 {
		return math.NaN()
	}
	return v / 100
}
