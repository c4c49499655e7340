package resourceprom

import (
	"math"
	"strings"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/testutil"

	"github.com/flywheel-stack/flywheel/catalog"
	"github.com/flywheel-stack/flywheel/resource"
)

type fixed resource.Snapshot

func (f fixed) Snapshot() resource.Snapshot { return resource.Snapshot(f) }

func TestCollectorExportsTheLatestRound(t *testing.T) {
	t.Parallel()
	nan := math.NaN()
	snap := fixed{Time: time.Date(2025, 6, 7, 8, 9, 0, 0, time.UTC),
		GPUs: []catalog.GPUUsage{
			{Index: 0, Vendor: catalog.VendorNVIDIA, Name: "NVIDIA A100-SXM4-80GB", Utilization: 0.87, MemoryUsed: 71234 << 20, MemoryTotal: 81920 << 20},
			// MIG mode: no utilisation; shared memory: no memory gauges.
			{Index: 1, Vendor: catalog.VendorNVIDIA, Name: "NVIDIA GB10", Utilization: nan, MemoryUsed: 5},
			{Index: 0, Vendor: catalog.VendorAMD, Name: "Navi 31 [Radeon RX 7900 XTX]", Utilization: 0.94, MemoryUsed: 21474836480, MemoryTotal: 25753026560},
		},
		Backends: []resource.BackendStats{
			{Backend: "llama", Kind: resource.KindLlamaCPP, Running: 2, Waiting: 0, KVCache: nan},
			{Backend: "vllm", Kind: resource.KindVLLM, Running: 46, Waiting: 7, KVCache: 0.9137},
		},
		Sources: []resource.SourceStatus{
			{Name: "nvidia-smi", State: resource.SourceOK},
			{Name: "rocm-smi", State: resource.SourceOK},
			{Name: "backend llama", State: resource.SourceOK},
			{Name: "backend vllm", State: resource.SourceOK},
			{Name: "backend down", State: resource.SourceFailing, Reason: "connection refused"},
			{Name: "backend plain", State: resource.SourceOff, Reason: "501"},
		},
	}
	reg := prometheus.NewPedanticRegistry()
	reg.MustRegister(NewCollector(snap))
	const want = `
# HELP flywheel_backend_kv_cache_usage_ratio Share of the backend's KV cache in use, 0 to 1, from its own /metrics.
# TYPE flywheel_backend_kv_cache_usage_ratio gauge
flywheel_backend_kv_cache_usage_ratio{backend="vllm"} 0.9137
# HELP flywheel_backend_requests_running Requests the backend is processing, from its own /metrics.
# TYPE flywheel_backend_requests_running gauge
flywheel_backend_requests_running{backend="llama"} 2
flywheel_backend_requests_running{backend="vllm"} 46
# HELP flywheel_backend_requests_waiting Requests queued in the backend, waiting for a slot, from its own /metrics.
# TYPE flywheel_backend_requests_waiting gauge
flywheel_backend_requests_waiting{backend="llama"} 0
flywheel_backend_requests_waiting{backend="vllm"} 7
# HELP flywheel_gpu_memory_total_bytes GPU memory in all.
# TYPE flywheel_gpu_memory_total_bytes gauge
flywheel_gpu_memory_total_bytes{gpu="0",name="NVIDIA A100-SXM4-80GB",vendor="nvidia"} 8.589934592e+10
flywheel_gpu_memory_total_bytes{gpu="0",name="Navi 31 [Radeon RX 7900 XTX]",vendor="amd"} 2.575302656e+10
# HELP flywheel_gpu_memory_used_bytes GPU memory in use.
# TYPE flywheel_gpu_memory_used_bytes gauge
flywheel_gpu_memory_used_bytes{gpu="0",name="NVIDIA A100-SXM4-80GB",vendor="nvidia"} 7.4694262784e+10
flywheel_gpu_memory_used_bytes{gpu="0",name="Navi 31 [Radeon RX 7900 XTX]",vendor="amd"} 2.147483648e+10
# HELP flywheel_gpu_utilization_ratio Share of time the GPU was busy over the tool's last sample period, 0 to 1 (nvidia-smi, rocm-smi).
# TYPE flywheel_gpu_utilization_ratio gauge
flywheel_gpu_utilization_ratio{gpu="0",name="NVIDIA A100-SXM4-80GB",vendor="nvidia"} 0.87
flywheel_gpu_utilization_ratio{gpu="0",name="Navi 31 [Radeon RX 7900 XTX]",vendor="amd"} 0.94
# HELP flywheel_resource_source_up Whether a resource source (nvidia-smi, rocm-smi, backend NAME) was read in the latest round: 1 read, 0 failing; absent when off.
# TYPE flywheel_resource_source_up gauge
flywheel_resource_source_up{source="backend down"} 0
flywheel_resource_source_up{source="backend llama"} 1
flywheel_resource_source_up{source="backend vllm"} 1
flywheel_resource_source_up{source="nvidia-smi"} 1
flywheel_resource_source_up{source="rocm-smi"} 1
`
	if err := testutil.GatherAndCompare(reg, strings.NewReader(want)); err != nil {
		t.Error(err)
	}
}

// Before the first round, nothing is exported.
func TestCollectorBeforeTheFirstRound(t *testing.T) {
	t.Parallel()
	if n := testutil.CollectAndCount(NewCollector(fixed{})); n != 0 {
		t.Errorf("%d series before the first round, want 0", n)
	}
}
