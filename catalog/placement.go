package catalog

import (
	"cmp"
	"fmt"
	"slices"
)

// Placement constants, documented in docs/catalog.md.
const (
	// DefaultGPUReserve is the VRAM kept free on each GPU for the CUDA or
	// ROCm context and the math libraries' workspaces, which llama.cpp
	// allocates outside its own buffers.
	DefaultGPUReserve Bytes = 512 << 20
	// DefaultRAMReserve is the system memory kept free for the operating
	// system and the rest of the stack.
	DefaultRAMReserve Bytes = 1 << 30
	// gpuEfficiency and cpuEfficiency are the shares of the memory bandwidth
	// that llama.cpp's token generation reaches: about 70% on GPUs and 60% on
	// CPUs in published llama-bench runs (an RTX 4090 at 1008 GB/s generates
	// about 140 tokens/s from Llama-3.1-8B Q4_K_M, which reads 4.9 GB per token).
	gpuEfficiency = 0.7
	cpuEfficiency = 0.6
)

// Limits bound the memory a placement may use.
type Limits struct {
	// MaxMemoryShare is the largest share of each memory (a GPU's free VRAM
	// after the reserve, the available RAM after the reserve) the model may
	// take; 0 means all of it.
	MaxMemoryShare float64 `json:"max_memory_share,omitempty"`
	// GPUReserve and RAMReserve override DefaultGPUReserve and
	// DefaultRAMReserve when positive.
	GPUReserve Bytes `json:"gpu_reserve,omitempty"`
	RAMReserve Bytes `json:"ram_reserve,omitempty"`
}

// DeviceUse is what one memory holds in a placement.
type DeviceUse struct {
	// Device names the memory: "GPU 0 (NVIDIA GeForce RTX 4090)" or "RAM".
	Device string `json:"device"`
	// GPU is the GPU's index, -1 for system memory.
	GPU int `json:"gpu"`
	// Layers is the blocks it holds; Output is true when it holds the
	// output projection.
	Layers int  `json:"layers"`
	Output bool `json:"output,omitempty"`
	// Weights, KVCache, Compute and Overhead add up to Total.
	Weights  Bytes `json:"weights"`
	KVCache  Bytes `json:"kv_cache"`
	Compute  Bytes `json:"compute"`
	Overhead Bytes `json:"overhead,omitempty"`
	Total    Bytes `json:"total"`
	// Budget is the memory the placement may use on it.
	Budget Bytes `json:"budget"`
	// BandwidthGBps is the memory bandwidth; ReadPerToken the bytes read
	// from this memory per generated token.
	BandwidthGBps float64 `json:"bandwidth_gbps"`
	ReadPerToken  Bytes   `json:"read_per_token"`
}

// Placement splits an estimate between GPUs and system memory the way
// llama.cpp does with -ngl: blocks are offloaded from the last one down,
// the output projection first of all, and the token embeddings stay on the
// host.
type Placement struct {
	// GPULayers is llama.cpp's -ngl for this placement: offloaded blocks,
	// plus one for the output projection.
	GPULayers int `json:"gpu_layers"`
	// OffloadedBlocks is the blocks on GPUs, of Blocks.
	OffloadedBlocks int `json:"offloaded_blocks"`
	Blocks          int `json:"blocks"`
	// GPUs is the GPUs used, with their share, in device order; TensorSplit
	// is the blocks per GPU in the same order (llama.cpp --tensor-split).
	GPUs        []DeviceUse `json:"gpus,omitempty"`
	TensorSplit []int       `json:"tensor_split,omitempty"`
	// Host is the system memory's share.
	Host DeviceUse `json:"host"`
	// VRAM and RAM are the totals per kind of memory.
	VRAM Bytes `json:"vram"`
	RAM  Bytes `json:"ram"`
	// TokensPerSecond is the expected decode speed: memory bandwidth over the
	// bytes read per token, each memory at its own speed.
	TokensPerSecond float64 `json:"tokens_per_second"`
	// Fits is false when a memory would overflow; Reason says which.
	Fits   bool   `json:"fits"`
	Reason string `json:"reason,omitempty"`
}

// Mode says in words where the model runs: "GPU", "partial offload
// (20/33 layers on GPU)" or "CPU".
func (p Placement) Mode() string {
	switch {
	case p.GPULayers == 0:
		return "CPU"
	case p.OffloadedBlocks == p.Blocks && p.GPULayers == p.Blocks+1:
		if len(p.GPUs) > 1 {
			return fmt.Sprintf("%d GPUs", len(p.GPUs))
		}
		return "GPU"
	}
	return fmt.Sprintf("partial offload (%d/%d layers on GPU)", p.GPULayers, p.Blocks+1)
}

// FullOffload reports whether every layer runs on GPUs.
func (p Placement) FullOffload() bool { return p.GPULayers == p.Blocks+1 }

// Partial reports whether the layers are split between GPUs and the CPU.
func (p Placement) Partial() bool { return p.GPULayers > 0 && !p.FullOffload() }

// PlanPlacement places an estimate on a machine. Without
// Settings.FixedGPULayers it offloads as many layers as fit on the GPUs
// that one process can use together; with it, it places exactly
// Settings.GPULayers and reports whether that fits. An integrated GPU
// shares system memory, so a machine without a usable discrete GPU is
// planned in RAM alone.
func PlanPlacement(e Estimate, h Hardware, l Limits) Placement {
	gpus := h.poolGPUs()
	fillCPUBandwidth(&h.CPU)
	for i := range gpus {
		fillGPUBandwidth(&gpus[i], h.GPUs)
	}
	// llama.cpp gives the first offloaded blocks to the first device and the
	// last blocks and the output to the last one; filling from the last
	// block down starts at the highest device index.
	slices.SortStableFunc(gpus, func(a, b GPU) int { return cmp.Compare(b.Index, a.Index) })
	if e.Settings.FixedGPULayers {
		n := min(e.Settings.GPULayers, e.Layers+1)
		if len(gpus) == 0 {
			n = 0
		}
		return place(e, h, gpus, l, n)
	}
	// The memory each placement needs grows with the layers offloaded, so
	// the most layers that fit is found by bisection.
	lo, hi := 0, e.Layers+1
	if len(gpus) == 0 {
		hi = 0
	}
	if hi > 0 && place(e, h, gpus, l, hi).gpusFit() {
		lo = hi
	}
	for lo < hi-1 {
		mid := (lo + hi) / 2
		if place(e, h, gpus, l, mid).gpusFit() {
			lo = mid
		} else {
			hi = mid
		}
	}
	p := place(e, h, gpus, l, lo)
	if !p.Fits && len(gpus) > 0 && lo < e.Layers+1 {
		var vram Bytes
		for _, g := range gpus {
			vram += gpuBudget(g, l)
		}
		if lo == 0 {
			p.Reason = fmt.Sprintf("needs %s RAM on the CPU alone, %s usable, and not even the output layer fits in %s of usable VRAM",
				p.RAM, p.Host.Budget, vram)
		} else {
			p.Reason = fmt.Sprintf("needs %s RAM with %d of %d layers in VRAM (%s usable), %s RAM usable",
				p.RAM, p.GPULayers, e.Layers+1, vram, p.Host.Budget)
		}
	}
	return p
}

// gpusFit reports whether every GPU holds its share (the host may not).
func (p Placement) gpusFit() bool {
	for _, d := range p.GPUs {
		if d.Total > d.Budget {
			return false
		}
	}
	return true
}

func gpuBudget(g GPU, l Limits) Bytes {
	reserve := DefaultGPUReserve
	if l.GPUReserve > 0 {
		reserve = l.GPUReserve
	}
	free := g.FreeVRAM()
	if free <= reserve {
		return 0
	}
	return share(free-reserve, l.MaxMemoryShare)
}

func ramBudget(h Hardware, l Limits) Bytes {
	reserve := DefaultRAMReserve
	if l.RAMReserve > 0 {
		reserve = l.RAMReserve
	}
	avail := h.Memory.Available
	if avail == 0 {
		avail = h.Memory.Total
	}
	if avail <= reserve {
		return 0
	}
	return share(avail-reserve, l.MaxMemoryShare)
}

func share(b Bytes, s float64) Bytes {
	if s <= 0 || s >= 1 {
		return b
	}
	return Bytes(float64(b) * s)
}

// place puts ngl layers on the GPUs: the output projection when ngl >= 1,
// and the last ngl-1 blocks, filling the GPUs in order (largest free
// memory first) and moving to the next when one is full.
func place(e Estimate, h Hardware, gpus []GPU, l Limits, ngl int) Placement {
	L := e.Layers
	offloaded := min(max(ngl-1, 0), L)
	outputOnGPU := ngl >= 1 && len(gpus) > 0
	p := Placement{GPULayers: ngl, OffloadedBlocks: offloaded, Blocks: L, Fits: true}
	w := e.weights
	kvRead := func(i int) uint64 { return e.layerKV[i] / 2 }
	blockRead := func(i int) uint64 { return uint64(float64(w.Layers[i]) * w.ActiveFraction) }

	// GPUs, from the last block down.
	next := L - 1
	first := L - offloaded
	for gi, g := range gpus {
		if next < first && (gi > 0 || !outputOnGPU) {
			break
		}
		d := DeviceUse{
			Device:        fmt.Sprintf("GPU %d (%s)", g.Index, g.Name),
			GPU:           g.Index,
			Budget:        gpuBudget(g, l),
			BandwidthGBps: g.MemoryBandwidthGBps,
		}
		var read uint64
		if gi == 0 && outputOnGPU {
			d.Output = true
			d.Weights += Bytes(w.Output)
			read += w.Output
		}
		compute := func(layers int) Bytes {
			c := uint64(0)
			if layers > 0 {
				c = e.layerCompute
			}
			if d.Output {
				c = max(c, e.outputCompute)
			}
			return Bytes(c)
		}
		last := gi == len(gpus)-1
		for next >= first {
			add := Bytes(w.Layers[next] + e.layerKV[next])
			if !last && d.Weights+d.KVCache+add+compute(d.Layers+1) > d.Budget {
				break // the next GPU takes the rest
			}
			d.Weights += Bytes(w.Layers[next])
			d.KVCache += Bytes(e.layerKV[next])
			read += blockRead(next) + kvRead(next)
			d.Layers++
			next--
		}
		d.Compute = compute(d.Layers)
		d.Total = d.Weights + d.KVCache + d.Compute
		d.ReadPerToken = Bytes(read)
		p.GPUs = append(p.GPUs, d)
		p.TensorSplit = append(p.TensorSplit, d.Layers)
		p.VRAM += d.Total
	}
	slices.Reverse(p.GPUs) // device order, as --tensor-split takes it
	slices.Reverse(p.TensorSplit)

	// The host: embeddings, the blocks left, the output when not offloaded.
	host := DeviceUse{Device: "RAM", GPU: -1, Budget: ramBudget(h, l), BandwidthGBps: h.CPU.MemoryBandwidthGBps}
	host.Weights = Bytes(w.Input)
	var read uint64
	cpuBlocks := L - offloaded
	for i := range cpuBlocks {
		host.Weights += Bytes(w.Layers[i])
		host.KVCache += Bytes(e.layerKV[i])
		read += blockRead(i) + kvRead(i)
	}
	host.Layers = cpuBlocks
	var hostCompute uint64
	if cpuBlocks > 0 {
		hostCompute = e.layerCompute
	}
	if !outputOnGPU {
		host.Output = true
		if w.Tied {
			// The output reuses the embeddings already in RAM; only the
			// output norm is added.
			host.Weights += Bytes(w.Output - min(w.Output, w.Input))
		} else {
			host.Weights += Bytes(w.Output)
		}
		read += w.Output
		hostCompute = max(hostCompute, e.outputCompute)
	}
	host.Compute = Bytes(hostCompute + e.hostStaging)
	host.Overhead = Bytes(e.Overhead)
	host.Total = host.Weights + host.KVCache + host.Compute + host.Overhead
	host.ReadPerToken = Bytes(read)
	p.Host = host
	p.RAM = host.Total

	// Decode speed: each memory is read at its own bandwidth, one after the other.
	var seconds float64
	for _, d := range p.GPUs {
		seconds += bytesTime(d.ReadPerToken, d.BandwidthGBps, gpuEfficiency)
	}
	seconds += bytesTime(host.ReadPerToken, host.BandwidthGBps, cpuEfficiency)
	if seconds > 0 {
		p.TokensPerSecond = 1 / seconds
	}

	// Does it fit?
	for _, d := range p.GPUs {
		if d.Total > d.Budget && p.Fits {
			p.Fits = false
			p.Reason = fmt.Sprintf("needs %s VRAM on %s, %s usable", d.Total, d.Device, d.Budget)
		}
	}
	if host.Total > host.Budget && p.Fits {
		p.Fits = false
		p.Reason = fmt.Sprintf("needs %s RAM, %s usable", host.Total, host.Budget)
	}
	return p
}

// bytesTime is the seconds it takes to read n bytes at bw GB/s with the
// given efficiency; an unknown bandwidth counts as 10 GB/s.
func bytesTime(n Bytes, bw, eff float64) float64 {
	if n == 0 {
		return 0
	}
	if bw <= 0 {
		bw = 10
	}
	return float64(n) / (bw * 1e9 * eff)
}
