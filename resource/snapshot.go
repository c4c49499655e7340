package resource

import (
	"math"
	"time"

	"github.com/flywheel-stack/flywheel/catalog"
)

// Snapshot is what one sampling round read. A source that is off, or that
// failed in this round, contributes nothing but its [SourceStatus]. A
// Snapshot is shared: do not modify its slices.
type Snapshot struct {
	// Time is when the round started, on the sampler's clock.
	Time time.Time
	// GPUs are the GPUs read in this round, NVIDIA first, then AMD, each
	// in the tool's order.
	GPUs []catalog.GPUUsage
	// Backends are the backends read in this round, in the order of
	// Options.Backends.
	Backends []BackendStats
	// Sources says what each source did in this round, in a fixed order:
	// the GPU tools, then the backends.
	Sources []SourceStatus

	byName map[string]int // Backends' index by name
}

// Backend returns the numbers of the named backend, and false when the
// backend was not read in this round.
func (s Snapshot) Backend(name string) (BackendStats, bool) {
	i, ok := s.byName[name]
	if !ok {
		return BackendStats{}, false
	}
	return s.Backends[i], true
}

// BackendStats are a backend's own numbers, from its /metrics. A number
// the backend does not export is NaN.
type BackendStats struct {
	// Backend is the backend's name.
	Backend string
	// Kind is the backend kind: llamacpp or vllm.
	Kind string
	// Time is when the metrics were read.
	Time time.Time
	// Running is the number of requests being processed
	// (llamacpp:requests_processing, vllm:num_requests_running).
	Running float64
	// Waiting is the number of requests queued, waiting for a slot
	// (llamacpp:requests_deferred, vllm:num_requests_waiting).
	Waiting float64
	// KVCache is the share of the KV cache in use, in [0,1]
	// (llamacpp:kv_cache_usage_ratio, which llama.cpp builds since mid
	// 2025 no longer export; vllm:kv_cache_usage_perc, or
	// vllm:gpu_cache_usage_perc before vLLM 0.10).
	KVCache float64
}

// unknownStats returns stats of b with every number unknown.
func unknownStats(b Backend, at time.Time) BackendStats {
	return BackendStats{Backend: b.Name, Kind: b.Kind, Time: at, Running: math.NaN(), Waiting: math.NaN(), KVCache: math.NaN()}
}

// SourceState is what a source did in the last round.
type SourceState string

// Source states.
const (
	// SourceOK read its numbers.
	SourceOK SourceState = "ok"
	// SourceFailing could not read them this time (a tool that failed, a
	// backend that is down or answered an error); it is tried again next
	// round.
	SourceFailing SourceState = "failing"
	// SourceOff is missing (a tool that is not installed, a backend
	// without a metrics endpoint) and is not tried again.
	SourceOff SourceState = "off"
)

// SourceStatus is one source's state in a round.
type SourceStatus struct {
	// Name is "nvidia-smi", "rocm-smi" or "backend NAME".
	Name string
	// State is ok, failing or off.
	State SourceState
	// Reason says why a source is failing or off.
	Reason string
}
