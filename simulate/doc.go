// Package simulate is an OpenAI-compatible inference server that answers
// with deterministic text and fails on demand. Flywheel's end-to-end and
// chaos tests, `flywheel demo` and `flywheel bench` run it in place of a real
// model; users run it (`flywheel simulate`) to chaos-test their own clients.
//
// A Server serves POST /v1/chat/completions, POST /v1/completions (both with
// SSE streaming and stream_options.include_usage), POST /v1/embeddings,
// GET /v1/models and a llama.cpp-style GET /health. The same request always
// gets the same answer: the text is a word sequence seeded by a hash of the
// prompt, its length capped by max_tokens, and usage counts the words of the
// prompt and of the answer.
//
// Faults (error rate and status, Retry-After, hangs, connection resets,
// streams cut after N chunks, a loading period, time to first token and
// token pace) are set in Config.Faults, changed at run time with SetFaults
// and UpdateFaults, or over HTTP with POST /_sim/faults. GET /_sim/stats
// counts requests, completions, injected faults and cancellations.
//
//	url, shutdown, err := simulate.Start(ctx, "127.0.0.1:0", simulate.Config{
//		Models: []string{"qwen2.5-coder-7b-instruct"},
//		Faults: simulate.Faults{TTFT: 50 * time.Millisecond, TokensPerSecond: 100},
//	})
//	if err != nil { ... }
//	defer shutdown(context.Background())
//
// The non-streaming path with no pacing allocates little and takes no lock
// (faults are an atomically swapped snapshot; counters are atomics), so the
// simulator is not the bottleneck when a gateway benchmark drives it.
package simulate
