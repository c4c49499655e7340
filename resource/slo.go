package resource

import (
	"math"

	"github.com/flywheel-stack/flywheel/config"
	"github.com/flywheel-stack/flywheel/slo"
)

// SampleRecorder judges gauge readings against the resource SLOs:
// *slo.Recorder.
type SampleRecorder interface {
	RecordSample(slo.Sample)
}

// FeedSLOs returns an Options.OnSample hook that hands every reading of a
// round to rec (see Samples).
func FeedSLOs(rec SampleRecorder) func(Snapshot) {
	return func(snap Snapshot) {
		for _, s := range Samples(snap) {
			rec.RecordSample(s)
		}
	}
}

// Samples turns a snapshot into the readings resource SLOs judge, all at
// the snapshot's time: per GPU, gpu_utilization and gpu_memory (used over
// total); per backend, kv_cache and queue (requests waiting). A number the
// source did not give is left out, so that an unknown reading is neither
// good nor bad.
func Samples(snap Snapshot) []slo.Sample {
	out := make([]slo.Sample, 0, 2*len(snap.GPUs)+2*len(snap.Backends))
	add := func(r config.SLOResourceName, backend string, v float64) {
		if !math.IsNaN(v) {
			out = append(out, slo.Sample{Resource: r, Backend: backend, Value: v, Time: snap.Time})
		}
	}
	for _, g := range snap.GPUs {
		add(config.ResourceGPUUtilization, "", g.Utilization)
		add(config.ResourceGPUMemory, "", g.MemoryRatio())
	}
	for _, b := range snap.Backends {
		add(config.ResourceKVCache, b.Backend, b.KVCache)
		add(config.ResourceQueue, b.Backend, b.Waiting)
	}
	return out
}
