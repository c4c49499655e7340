package resource

import (
	"context"
	"math"
	"reflect"
	"testing"

	"github.com/flywheel-stack/flywheel/catalog"
	"github.com/flywheel-stack/flywheel/config"
	"github.com/flywheel-stack/flywheel/slo"
)

// Every known number becomes one sample at the snapshot's time; an
// unknown one is left out, neither good nor bad.
func TestSamples(t *testing.T) {
	t.Parallel()
	nan := math.NaN()
	snap := Snapshot{Time: t0,
		GPUs: []catalog.GPUUsage{
			{Index: 0, Utilization: 0.5, MemoryUsed: 3, MemoryTotal: 4},
			{Index: 1, Utilization: nan, MemoryUsed: 1}, // MIG mode, shared memory
		},
		Backends: []BackendStats{
			{Backend: "llama", Running: 2, Waiting: 0, KVCache: nan},
			{Backend: "vllm", Running: 9, Waiting: 4, KVCache: 0.25},
		}}
	want := []slo.Sample{
		{Resource: config.ResourceGPUUtilization, Value: 0.5, Time: t0},
		{Resource: config.ResourceGPUMemory, Value: 0.75, Time: t0},
		{Resource: config.ResourceQueue, Backend: "llama", Value: 0, Time: t0},
		{Resource: config.ResourceKVCache, Backend: "vllm", Value: 0.25, Time: t0},
		{Resource: config.ResourceQueue, Backend: "vllm", Value: 4, Time: t0},
	}
	if got := Samples(snap); !reflect.DeepEqual(got, want) {
		t.Errorf("Samples =\n %+v, want\n %+v", got, want)
	}
}

// A sampler whose hook is FeedSLOs judges each round against the resource
// SLOs of package slo, per GPU and per backend.
func TestFeedSLOsJudgesEachRound(t *testing.T) {
	t.Parallel()
	vllm := newBackendServer(t, serveFixture(t, "vllm-v1-dp2.txt"))
	ceiling := func(v float64) config.SLOThreshold { return config.SLOThreshold{Value: v, Set: true} }
	set, err := slo.Compile([]config.SLO{
		{Name: "gpu-mem", Kind: config.SLOResource, Resource: config.ResourceGPUMemory, Objective: 99, Threshold: ceiling(0.8)},
		{Name: "gpu-busy", Kind: config.SLOResource, Resource: config.ResourceGPUUtilization, Objective: 99, Threshold: ceiling(0.9)},
		{Name: "vllm-queue", Backend: "vllm", Kind: config.SLOResource, Resource: config.ResourceQueue, Objective: 99, Threshold: ceiling(8)},
		{Name: "vllm-kv", Backend: "vllm", Kind: config.SLOResource, Resource: config.ResourceKVCache, Objective: 99, Threshold: ceiling(0.9)},
		{Name: "llama-kv", Backend: "llama", Kind: config.SLOResource, Resource: config.ResourceKVCache, Objective: 99, Threshold: ceiling(0.9)},
		{Name: "availability", Kind: config.SLOAvailability, Objective: 99},
	})
	if err != nil {
		t.Fatal(err)
	}
	rec := slo.NewRecorder(set)
	s, _, _ := newSampler(t, Options{Runner: newTools(map[string]toolAnswer{"nvidia-smi": {file: "nvidia-smi/usage-two-gpu.csv"}}),
		Backends: []Backend{{Name: "vllm", Kind: KindVLLM, URL: vllm.URL}}, OnSample: FeedSLOs(rec)})
	s.SampleNow(context.Background())
	s.SampleNow(context.Background())

	got := map[string][2]uint64{}
	for _, c := range rec.Minutes().Drain() {
		g := got[c.SLO]
		got[c.SLO] = [2]uint64{g[0] + c.Good, g[1] + c.Bad}
	}
	// Two rounds. GPU 0 uses 71234 of 81920 MiB (0.87 > 0.8) at 87% (<=
	// 0.9), GPU 1 is idle; vLLM has 7 waiting (<= 8) and its fuller engine
	// a KV cache at 0.9137 (> 0.9).
	want := map[string][2]uint64{"gpu-mem": {2, 2}, "gpu-busy": {4, 0}, "vllm-queue": {2, 0}, "vllm-kv": {0, 2}}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("good/bad per SLO = %v, want %v", got, want)
	}
}
