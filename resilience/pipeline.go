package resilience

import (
	"context"
	"time"
)

// Path says which path of a pipeline produced a result.
type Path uint8

const (
	// PathPrimary is the call itself (on any attempt).
	PathPrimary Path = iota
	// PathFallback is the fallback, after the primary failed or was rejected.
	PathFallback
)

// String returns "primary" or "fallback".
func (p Path) String() string {
	if p == PathFallback {
		return "fallback"
	}
	return "primary"
}

// PipelineConfig configures a Pipeline. Every policy is optional.
type PipelineConfig[T any] struct {
	// Breaker guards each attempt.
	Breaker *Breaker
	// Retry retries failed attempts.
	Retry *Retrier
	// AttemptTimeout bounds each attempt.
	AttemptTimeout time.Duration
	// Timeout bounds the whole call, retries and delays included (not the
	// fallback).
	Timeout time.Duration
	// Fallback answers when the primary path failed or was rejected.
	Fallback Fallback[T]
	// FallbackIf decides which errors the fallback handles; nil means all.
	FallbackIf func(err error) bool
}

// Pipeline composes the policies in the usual order: fallback around
// retry around breaker around timeout. It is safe for concurrent use and,
// without timeouts, makes no allocation of its own per call.
type Pipeline[T any] struct {
	cfg PipelineConfig[T]
}

// NewPipeline returns a pipeline over cfg's policies.
func NewPipeline[T any](cfg PipelineConfig[T]) *Pipeline[T] {
	return &Pipeline[T]{cfg: cfg}
}

// Breaker returns the pipeline's breaker, or nil.
func (p *Pipeline[T]) Breaker() *Breaker { return p.cfg.Breaker }

// Result is a pipeline call's outcome.
type Result[T any] struct {
	// Value is the answer, from the primary path or the fallback.
	Value T
	// Err is the final error: nil when either path answered.
	Err error
	// Attempts is the number of primary attempts made.
	Attempts int
	// Path says which path answered (or failed last).
	Path Path
	// Cause is the primary path's error when the fallback answered.
	Cause error
}

// Do runs fn through the pipeline and returns its value and error.
func (p *Pipeline[T]) Do(ctx context.Context, fn func(context.Context) (T, error)) (T, error) {
	r := p.Run(ctx, fn)
	return r.Value, r.Err
}

// Run runs fn through the pipeline and reports which path answered and
// after how many attempts.
func (p *Pipeline[T]) Run(ctx context.Context, fn func(context.Context) (T, error)) Result[T] {
	c := &p.cfg
	pctx := ctx
	if c.Timeout > 0 {
		var cancel context.CancelFunc
		pctx, cancel = context.WithTimeoutCause(ctx, c.Timeout, ErrTimeout)
		defer cancel()
	}
	v, attempts, err := run(pctx, c.Retry, c.Breaker, c.AttemptTimeout, fn, false)
	if err != nil && c.Timeout > 0 && ctx.Err() == nil && pctx.Err() != nil {
		err = timeoutCause(pctx, err)
	}
	res := Result[T]{Value: v, Err: err, Attempts: attempts}
	if err == nil || c.Fallback == nil || ctx.Err() != nil || (c.FallbackIf != nil && !c.FallbackIf(err)) {
		return res
	}
	fv, ferr := c.Fallback(ctx, err)
	return Result[T]{Value: fv, Err: ferr, Attempts: attempts, Path: PathFallback, Cause: err}
}

// timeoutCause attaches the pipeline's timeout to err when the overall
// deadline is what ended the call.
func timeoutCause(ctx context.Context, err error) error {
	if context.Cause(ctx) == ErrTimeout {
		return &joinedTimeout{err: err}
	}
	return err
}

type joinedTimeout struct{ err error }

func (e *joinedTimeout) Error() string   { return ErrTimeout.Error() + ": " + e.err.Error() }
func (e *joinedTimeout) Unwrap() []error { return []error{ErrTimeout, e.err} }
