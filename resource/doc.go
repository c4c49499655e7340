// Package resource samples, at an interval on an injected clock, how loaded
// the machine's GPUs and the inference backends are:
//
//   - GPU utilisation and memory per GPU, from nvidia-smi and rocm-smi
//     (read by package catalog, which also detects the hardware);
//   - a backend's requests running and waiting and its KV-cache usage, from
//     its own Prometheus /metrics: llama.cpp (started with --metrics) and
//     vLLM.
//
// A [Sampler] keeps the latest [Snapshot]; [Sampler.Backend] reads one
// backend's latest numbers without locking, for routing. A source that is
// missing (no tool, no endpoint) is turned off with one log line; a source
// that fails logs once when it starts failing and once when it recovers,
// and never returns an error. [FeedSLOs] hands every reading to the
// resource SLOs of package slo; package resource/resourceprom exports the
// readings as Prometheus gauges.
package resource
