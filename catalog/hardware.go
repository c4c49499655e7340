package catalog

import (
	"slices"
	"strings"
)

// Vendor names a GPU maker.
type Vendor string

// The GPU vendors detection knows.
const (
	VendorNVIDIA Vendor = "nvidia"
	VendorAMD    Vendor = "amd"
	VendorIntel  Vendor = "intel"
)

// Hardware is a machine's profile: what detection found, or what a person
// wrote for planning ("what would run on a 24 GB card"). `flywheel catalog
// detect --json` writes it; `--hardware FILE` reads it back.
type Hardware struct {
	// OS and Arch are runtime.GOOS and runtime.GOARCH of the detected host.
	OS   string `json:"os,omitempty"`
	Arch string `json:"arch,omitempty"`
	// CPU is the processor.
	CPU CPU `json:"cpu"`
	// Memory is system memory, container limits applied.
	Memory Memory `json:"memory"`
	// GPUs lists every GPU found, usable or not.
	GPUs []GPU `json:"gpus"`
	// Tier is the hardware tier; [Classify] recomputes it.
	Tier Tier `json:"tier"`
	// Notes are what detection could not do ("nvidia-smi timed out").
	Notes []string `json:"notes,omitempty"`
}

// CPU is the processor of a host.
type CPU struct {
	// Model is the marketing name, like "AMD Ryzen 9 7950X".
	Model string `json:"model"`
	// PhysicalCores and LogicalCores count cores and hardware threads.
	PhysicalCores int `json:"physical_cores"`
	LogicalCores  int `json:"logical_cores"`
	// Features lists the instruction sets that matter for inference, by
	// their usual names: AVX2, AVX-512, AVX-512-VNNI, AVX-512-BF16, AVX-VNNI,
	// AMX, NEON, SVE, DOTPROD, I8MM.
	Features []string `json:"features"`
	// MemoryBandwidthGBps is the system memory bandwidth inference can use,
	// in GB/s; BandwidthSource says where the number came from.
	MemoryBandwidthGBps float64 `json:"memory_bandwidth_gbps"`
	BandwidthSource     string  `json:"bandwidth_source,omitempty"`
}

// HasFeature reports whether the CPU lists the named feature.
func (c CPU) HasFeature(name string) bool {
	return slices.ContainsFunc(c.Features, func(f string) bool { return strings.EqualFold(f, name) })
}

// Memory is system memory. Total and Available already honour a container
// (cgroup) limit; the Host fields keep what the kernel reports for the
// whole machine.
type Memory struct {
	// Total is the memory the process may use at most.
	Total Bytes `json:"total"`
	// Available is the memory the process could still allocate.
	Available Bytes `json:"available"`
	// HostTotal and HostAvailable are /proc/meminfo's MemTotal and
	// MemAvailable.
	HostTotal     Bytes `json:"host_total,omitempty"`
	HostAvailable Bytes `json:"host_available,omitempty"`
	// CgroupLimit is the container memory limit; 0 when there is none.
	CgroupLimit Bytes `json:"cgroup_limit,omitempty"`
	// CgroupVersion is 1 or 2 when a limit was read, 0 otherwise.
	CgroupVersion int `json:"cgroup_version,omitempty"`
}

// GPU is one GPU, or one MIG instance of an NVIDIA GPU.
type GPU struct {
	// Index is the tool's index (nvidia-smi, rocm-smi card number, or the
	// DRM card number).
	Index int `json:"index"`
	// Vendor is the maker.
	Vendor Vendor `json:"vendor"`
	// Name is the product name.
	Name string `json:"name"`
	// UUID identifies the device when the tool reports one.
	UUID string `json:"uuid,omitempty"`
	// VRAMTotal and VRAMFree are the dedicated memory; 0 when unknown.
	VRAMTotal Bytes `json:"vram_total"`
	VRAMFree  Bytes `json:"vram_free"`
	// Driver is the driver version.
	Driver string `json:"driver,omitempty"`
	// ComputeCapability is the CUDA compute capability ("8.9") or the AMD
	// GFX target ("gfx1100").
	ComputeCapability string `json:"compute_capability,omitempty"`
	// Integrated is true for a GPU that shares system memory.
	Integrated bool `json:"integrated,omitempty"`
	// MIG is the MIG profile ("3g.40gb") when this entry is a MIG instance;
	// MIGEnabled marks a whole GPU whose memory is split into instances.
	MIG        string `json:"mig,omitempty"`
	MIGEnabled bool   `json:"mig_enabled,omitempty"`
	// MemoryBandwidthGBps is the memory bandwidth in GB/s; BandwidthSource
	// says where the number came from.
	MemoryBandwidthGBps float64 `json:"memory_bandwidth_gbps,omitempty"`
	BandwidthSource     string  `json:"bandwidth_source,omitempty"`
	// Source is the tool or path that reported the GPU.
	Source string `json:"source,omitempty"`
}

// Usable reports whether models can be placed on the GPU: a discrete GPU
// (or MIG instance) with known memory, and not a whole GPU split by MIG.
func (g GPU) Usable() bool {
	return !g.Integrated && !g.MIGEnabled && g.VRAMTotal > 0
}

// FreeVRAM returns the free memory, or the total when free is unknown (a
// hand-written planning profile).
func (g GPU) FreeVRAM() Bytes {
	if g.VRAMFree > 0 {
		return g.VRAMFree
	}
	return g.VRAMTotal
}

// UsableGPUs returns the GPUs that models can be placed on, largest first.
func (h Hardware) UsableGPUs() []GPU {
	var out []GPU
	for _, g := range h.GPUs {
		if g.Usable() {
			out = append(out, g)
		}
	}
	slices.SortStableFunc(out, func(a, b GPU) int {
		switch {
		case a.FreeVRAM() > b.FreeVRAM():
			return -1
		case a.FreeVRAM() < b.FreeVRAM():
			return 1
		}
		return 0
	})
	return out
}

// poolGPUs returns the GPUs that one llama.cpp process can use together:
// usable, whole (a process sees one MIG instance) and of the vendor with
// the most memory among them.
func (h Hardware) poolGPUs() []GPU {
	byVendor := map[Vendor][]GPU{}
	var best Vendor
	var bestTotal Bytes
	for _, g := range h.UsableGPUs() {
		if g.MIG != "" {
			continue
		}
		byVendor[g.Vendor] = append(byVendor[g.Vendor], g)
		var t Bytes
		for _, x := range byVendor[g.Vendor] {
			t += x.FreeVRAM()
		}
		if t > bestTotal || best == "" {
			best, bestTotal = g.Vendor, t
		}
	}
	return byVendor[best]
}

// IntegratedGPU returns the first integrated GPU, if any.
func (h Hardware) IntegratedGPU() (GPU, bool) {
	for _, g := range h.GPUs {
		if g.Integrated {
			return g, true
		}
	}
	return GPU{}, false
}
