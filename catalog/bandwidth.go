package catalog

import (
	"sort"
	"strings"
)

// gpuBandwidth is the memory bandwidth of GPU models in GB/s, from the
// vendors' specification sheets, keyed by a lower-case fragment of the name
// the tools report. The longest matching fragment wins, so "rtx 4070 ti"
// beats "rtx 4070" and "laptop" variants beat desktop ones.
var gpuBandwidth = map[string]float64{
	// NVIDIA data center.
	"b200": 8000, "h200": 4800, "gh200": 4000, "h100 nvl": 3900, "h100 pcie": 2000, "h100": 3350,
	"a100-sxm4-80gb": 2039, "a100 80gb pcie": 1935, "a100-sxm4-40gb": 1555, "a100-pcie-40gb": 1555, "a100": 1555,
	"l40s": 864, "l40": 864, "l4": 300, "a40": 696, "a30": 933, "a10g": 600, "a10": 600, "a16": 200, "a2": 200,
	"t4": 320, "v100": 900, "p100": 732, "p40": 346,
	// NVIDIA workstation.
	"rtx pro 6000": 1792, "rtx 6000 ada": 960, "rtx a6000": 768, "rtx a5000": 768, "rtx a4000": 448, "rtx 4000 ada": 360,
	// NVIDIA GeForce.
	"rtx 5090": 1792, "rtx 5080": 960, "rtx 5070 ti": 896, "rtx 5070": 672, "rtx 5060 ti": 448, "rtx 5060": 448,
	"rtx 4090": 1008, "rtx 4080 super": 736, "rtx 4080": 717, "rtx 4070 ti super": 672, "rtx 4070 ti": 504,
	"rtx 4070 super": 504, "rtx 4070": 504, "rtx 4060 ti": 288, "rtx 4060": 272,
	"rtx 3090 ti": 1008, "rtx 3090": 936, "rtx 3080 ti": 912, "rtx 3080": 760, "rtx 3070 ti": 608, "rtx 3070": 448,
	"rtx 3060 ti": 448, "rtx 3060": 360, "rtx 3050": 224,
	"rtx 2080 ti": 616, "rtx 2080": 448, "rtx 2070": 448, "rtx 2060": 336,
	"gtx 1660": 192, "gtx 1650": 128, "gtx 1080 ti": 484, "gtx 1080": 320, "gtx 1070": 256, "gtx 1060": 192,
	"rtx 4090 laptop": 576, "rtx 4080 laptop": 432, "rtx 4070 laptop": 256, "rtx 4060 laptop": 256,
	"rtx 3080 laptop": 448, "rtx 3070 laptop": 448, "rtx 3060 laptop": 336,
	// AMD Instinct and Radeon.
	"mi325x": 6000, "mi300x": 5300, "mi250x": 3277, "mi250": 3277, "mi210": 1638, "mi100": 1229,
	"7900 xtx": 960, "7900 xt": 800, "7900 gre": 576, "7800 xt": 624, "7700 xt": 432, "7600 xt": 288, "7600": 288,
	"6950 xt": 576, "6900 xt": 512, "6800 xt": 512, "6800": 512, "6700 xt": 384, "6600 xt": 256, "6600": 224,
	"9070 xt": 640, "9070": 640, "radeon vii": 1024, "w7900": 864, "w7800": 576,
	// Intel Arc.
	"arc a770": 560, "arc a750": 512, "arc a380": 186, "arc b580": 456, "arc b570": 380,
}

// gpuBandwidthKeys holds the fragments longest first.
var gpuBandwidthKeys = func() []string {
	keys := make([]string, 0, len(gpuBandwidth))
	for k := range gpuBandwidth {
		keys = append(keys, k)
	}
	sort.Slice(keys, func(i, j int) bool {
		if len(keys[i]) != len(keys[j]) {
			return len(keys[i]) > len(keys[j])
		}
		return keys[i] < keys[j]
	})
	return keys
}()

// Bandwidth assumptions, documented in docs/catalog.md.
const (
	// cpuBandwidthGBps is assumed system memory bandwidth: dual-channel
	// DDR4-3200 (51.2 GB/s), rounded down.
	cpuBandwidthGBps = 50
	// cpuBandwidthPerCoreGBps caps it by core count: one core streams about
	// 10 GB/s, so a 2-core VM cannot use a whole memory system.
	cpuBandwidthPerCoreGBps = 10
	// unknownGPUBandwidthPerGB scales an unknown GPU's bandwidth by its VRAM
	// (GB/s per GB), within [minUnknownGPUBandwidth, maxUnknownGPUBandwidth].
	unknownGPUBandwidthPerGB = 25
	minUnknownGPUBandwidth   = 150
	maxUnknownGPUBandwidth   = 1000
)

// LookupGPUBandwidth returns the memory bandwidth in GB/s of a GPU model
// name as nvidia-smi or rocm-smi report it.
func LookupGPUBandwidth(name string) (float64, bool) {
	n := strings.ToLower(name)
	for _, k := range gpuBandwidthKeys {
		if containsWord(n, k) {
			return gpuBandwidth[k], true
		}
	}
	return 0, false
}

// containsWord reports whether k occurs in s not followed by a letter or
// digit, so that "l4" does not match "l40s" and "a10" not "a100".
func containsWord(s, k string) bool {
	for i := 0; ; {
		j := strings.Index(s[i:], k)
		if j < 0 {
			return false
		}
		end := i + j + len(k)
		startOK := i+j == 0 || !isAlnum(s[i+j-1])
		if startOK && (end == len(s) || !isAlnum(s[end])) {
			return true
		}
		i += j + 1
	}
}

func isAlnum(c byte) bool { return c >= 'a' && c <= 'z' || c >= '0' && c <= '9' }

// fillGPUBandwidth sets a GPU's bandwidth from the table, scaling a MIG
// instance by its share of the parent's memory, or from its VRAM size when
// the model is unknown. A value already set (a hand-written profile) stays.
func fillGPUBandwidth(g *GPU, all []GPU) {
	if g.MemoryBandwidthGBps > 0 || g.Integrated {
		return
	}
	if bw, ok := LookupGPUBandwidth(g.Name); ok {
		g.MemoryBandwidthGBps, g.BandwidthSource = bw, "specification"
		if g.MIG != "" {
			for _, p := range all {
				if p.MIGEnabled && p.Index == g.Index && p.VRAMTotal > 0 {
					g.MemoryBandwidthGBps = bw * min(1, float64(g.VRAMTotal)/float64(p.VRAMTotal))
					g.BandwidthSource = "specification, scaled by the MIG instance's memory share"
				}
			}
		}
		return
	}
	if g.VRAMTotal == 0 {
		return
	}
	bw := unknownGPUBandwidthPerGB * g.VRAMTotal.GB()
	g.MemoryBandwidthGBps = min(max(bw, minUnknownGPUBandwidth), maxUnknownGPUBandwidth)
	g.BandwidthSource = "assumed from VRAM size (unknown model)"
}

// fillCPUBandwidth sets the CPU's memory bandwidth when not already set.
func fillCPUBandwidth(c *CPU) {
	if c.MemoryBandwidthGBps > 0 {
		return
	}
	cores := max(c.PhysicalCores, 1)
	c.MemoryBandwidthGBps = min(cpuBandwidthGBps, float64(cores)*cpuBandwidthPerCoreGBps)
	c.BandwidthSource = "assumed: dual-channel DDR4-3200, at most 10 GB/s per physical core"
}
