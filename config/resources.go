package config

import "time"

// GPU sampling modes of the resources section.
const (
	// GPUAuto runs nvidia-smi and rocm-smi, each where it is installed.
	GPUAuto = "auto"
	// GPUNVIDIA runs nvidia-smi only.
	GPUNVIDIA = "nvidia"
	// GPUAMD runs rocm-smi only.
	GPUAMD = "amd"
	// GPUOff samples no GPU.
	GPUOff = "off"
)

// Resources configures resource sampling: GPU utilisation and memory, and
// the backends' own metrics (requests running and waiting, KV cache).
type Resources struct {
	// Interval is the time between two samples. Default 15s.
	Interval time.Duration `yaml:"interval"`
	// GPU says which GPU tools run: auto, nvidia, amd or off. Default
	// auto.
	GPU string `yaml:"gpu"`
	// BackendMetrics reads the /metrics of llamacpp and vllm backends.
	// Default true.
	BackendMetrics bool `yaml:"backend_metrics"`
}

// DefaultResources returns the resources section's defaults.
func DefaultResources() Resources {
	return Resources{Interval: 15 * time.Second, GPU: GPUAuto, BackendMetrics: true}
}

func (r *Resources) validate(v *validator, path string) {
	v.positive(join(path, "interval"), r.Interval)
	v.oneOf(join(path, "gpu"), r.GPU, GPUAuto, GPUNVIDIA, GPUAMD, GPUOff)
}
