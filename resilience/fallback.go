package resilience

import (
	"context"
	"sync"
	"time"

	"github.com/flywheel-stack/flywheel/clock"
)

// Fallback answers in place of a failed or rejected call. It receives the
// primary path's error.
type Fallback[T any] func(ctx context.Context, err error) (T, error)

// FallbackValue answers with a fixed value, such as a degraded answer.
func FallbackValue[T any](v T) Fallback[T] {
	return func(context.Context, error) (T, error) { return v, nil }
}

// FallbackCall answers with another call, such as a secondary dependency.
func FallbackCall[T any](fn func(context.Context) (T, error)) Fallback[T] {
	return func(ctx context.Context, _ error) (T, error) { return fn(ctx) }
}

// LastGood remembers the most recent successful value so that it can be
// served as a fallback while the dependency is down. It is safe for
// concurrent use.
type LastGood[T any] struct {
	mu     sync.RWMutex
	value  T
	at     time.Time
	ok     bool
	maxAge time.Duration
	clk    clock.Clock
}

// NewLastGood returns a cache whose value is served for at most maxAge after
// it was stored (0: no limit). clk may be nil.
func NewLastGood[T any](maxAge time.Duration, clk clock.Clock) *LastGood[T] {
	return &LastGood[T]{maxAge: maxAge, clk: clock.OrReal(clk)}
}

// Store remembers v as the last good value.
func (c *LastGood[T]) Store(v T) {
	now := c.clk.Now()
	c.mu.Lock()
	c.value, c.at, c.ok = v, now, true
	c.mu.Unlock()
}

// Load returns the last good value and when it was stored, if one is fresh
// enough.
func (c *LastGood[T]) Load() (T, time.Time, bool) {
	c.mu.RLock()
	defer c.mu.RUnlock()
	if !c.ok || (c.maxAge > 0 && c.clk.Now().Sub(c.at) > c.maxAge) {
		var zero T
		return zero, time.Time{}, false
	}
	return c.value, c.at, true
}

// Wrap returns fn that stores each successful result.
func (c *LastGood[T]) Wrap(fn func(context.Context) (T, error)) func(context.Context) (T, error) {
	return func(ctx context.Context) (T, error) {
		v, err := fn(ctx)
		if err == nil {
			c.Store(v)
		}
		return v, err
	}
}

// Fallback answers with the last good value, or returns the primary error
// when there is none.
func (c *LastGood[T]) Fallback() Fallback[T] {
	return func(_ context.Context, err error) (T, error) {
		v, _, ok := c.Load()
		if !ok {
			return v, err
		}
		return v, nil
	}
}
