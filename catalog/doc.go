// Package catalog answers "which model fits this machine, and how fast will it
// run". It has four parts:
//
//   - Detection: [Detect] and [Detector] read the CPU (model, cores,
//     instruction sets), memory (with cgroup limits honoured) and every GPU
//     (nvidia-smi, rocm-smi, sysfs) into a [Hardware] profile, classified into
//     a [Tier]. Every external tool runs under a timeout through an injectable
//     [Runner]; the filesystem root is injectable too, so detection is tested
//     on fixtures, not on the machine that runs the tests.
//   - The catalog: an embedded, versioned YAML list of GGUF models people run
//     locally ([Default]), with the architecture numbers that estimation
//     needs, tags, quality scores with their sources and quantizations. Users
//     merge their own files with [Catalog.Merge] and [LoadFile].
//   - Estimates: [Estimate] turns an [Architecture], a weight layout and
//     [Settings] (context, parallel sequences, KV cache type, GPU layers) into
//     weights, KV cache, compute buffers and overhead; [PlanPlacement] splits
//     them between VRAM and RAM and predicts decode speed from memory
//     bandwidth. [ReadGGUF] reads a real GGUF header so that a file on disk is
//     estimated from its own tensors, without the catalog.
//   - Decisions: [Catalog.Recommend] ranks every (model, quantization,
//     context) that fits by quality, then speed, and says why each rejected
//     one does not fit; [Catalog.Validate] answers for one selection and
//     [Catalog.Preflight] warns about configured models that will not fit.
//
// The formulas are documented in docs/catalog.md.
package catalog
