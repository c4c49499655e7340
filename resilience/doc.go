// Package resilience makes calls to flaky dependencies fail fast, recover by
// themselves and degrade gracefully. It offers a three-state circuit breaker
// (with operator states forced-open and disabled), retry with capped
// exponential backoff, jitter and a shared retry budget, fallbacks, timeouts,
// a pipeline that composes them, and an http.RoundTripper that applies a
// pipeline per host. Its Prometheus collector lives in resilienceprom, so
// that importing this package does not pull in the Prometheus client.
//
// The breaker's closed-state path is lock-free and allocation-free: a call
// through a closed breaker costs a few atomic operations. State transitions
// take a mutex and allocate a new generation, so an outcome recorded on a
// permit from an earlier generation can never touch the current counts.
//
// Policies compose in the usual order: fallback around retry around breaker
// around timeout. Pipeline does that in one value:
//
//	p := resilience.NewPipeline[*Answer](resilience.PipelineConfig{
//		Breaker: breaker,
//		Retry:   resilience.InternalService(),
//	})
//	answer, err := p.Do(ctx, func(ctx context.Context) (*Answer, error) { ... })
package resilience
