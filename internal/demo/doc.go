// Package demo runs `flywheel demo`: Flywheel's main job, end to end, with
// nothing to install or configure. It starts three simulated backends in
// the process (a fast local model, a flaky local model and a slower
// "remote" API), the real gateway in front of them from a generated
// configuration, and drives streamed and plain requests through it for a
// while. Midway the fast local model goes down (its connections are reset)
// and later comes back; the summary shows what a client saw meanwhile:
// requests, success rate, fallbacks, the breaker transitions with their
// times, latency percentiles and time to first token.
//
// Everything listens on 127.0.0.1 on free ports, and everything is stopped
// before Run returns.
package demo
