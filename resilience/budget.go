package resilience

import (
	"sync"
	"sync/atomic"
	"time"

	"github.com/flywheel-stack/flywheel/clock"
)

// BudgetConfig configures a Budget.
type BudgetConfig struct {
	// Ratio is the largest share of retries to calls over the window.
	// Default 0.2: at most one retry for every five calls.
	Ratio float64
	// MinRetries is the number of retries always allowed per window, so a
	// quiet service can still retry. Default 10.
	MinRetries int
	// Window is the span over which calls and retries are counted. Default
	// 10 s.
	Window time.Duration
	// Buckets is the window's resolution. Default 10.
	Buckets int
	// Clock is the time source. nil means the real clock.
	Clock clock.Clock
}

// Budget caps retries across calls: over a sliding window, retries may not
// exceed Ratio × calls (or MinRetries, whichever is larger), so a fleet-wide
// outage does not multiply the load on what is left. One Budget is shared by
// every call that should draw from it; it is safe for concurrent use.
type Budget struct {
	cfg       BudgetConfig
	width     int64
	mu        sync.Mutex
	buckets   []budgetBucket
	exhausted atomic.Uint64
}

type budgetBucket struct {
	epoch          int64
	calls, retries int64
}

// NewBudget returns a budget with cfg's zero fields defaulted.
func NewBudget(cfg BudgetConfig) *Budget {
	if cfg.Ratio <= 0 {
		cfg.Ratio = 0.2
	}
	if cfg.MinRetries < 0 {
		cfg.MinRetries = 0
	} else if cfg.MinRetries == 0 {
		cfg.MinRetries = 10
	}
	if cfg.Window <= 0 {
		cfg.Window = 10 * time.Second
	}
	if cfg.Buckets <= 0 {
		cfg.Buckets = 10
	}
	cfg.Clock = clock.OrReal(cfg.Clock)
	width := int64(cfg.Window) / int64(cfg.Buckets)
	if width <= 0 {
		width = 1
	}
	return &Budget{cfg: cfg, width: width, buckets: make([]budgetBucket, cfg.Buckets)}
}

// bucketLocked returns the current bucket, clearing it if it is stale.
func (b *Budget) bucketLocked(now time.Time) (*budgetBucket, int64) {
	epoch := now.UnixNano() / b.width
	bk := &b.buckets[epoch%int64(len(b.buckets))]
	if bk.epoch != epoch {
		*bk = budgetBucket{epoch: epoch}
	}
	return bk, epoch
}

// RecordCall counts one call (a first attempt) towards the budget.
func (b *Budget) RecordCall() {
	b.mu.Lock()
	bk, _ := b.bucketLocked(b.cfg.Clock.Now())
	bk.calls++
	b.mu.Unlock()
}

// TryRetry reserves one retry if the budget allows it, and reports whether it
// did. A refusal is counted in Exhausted.
func (b *Budget) TryRetry() bool {
	b.mu.Lock()
	defer b.mu.Unlock()
	bk, epoch := b.bucketLocked(b.cfg.Clock.Now())
	calls, retries := b.sumLocked(epoch)
	allowed := int64(float64(calls) * b.cfg.Ratio)
	if allowed < int64(b.cfg.MinRetries) {
		allowed = int64(b.cfg.MinRetries)
	}
	if retries >= allowed {
		b.exhausted.Add(1)
		return false
	}
	bk.retries++
	return true
}

func (b *Budget) sumLocked(epoch int64) (calls, retries int64) {
	oldest := epoch - int64(len(b.buckets)) + 1
	for i := range b.buckets {
		if bk := &b.buckets[i]; bk.epoch >= oldest && bk.epoch <= epoch {
			calls += bk.calls
			retries += bk.retries
		}
	}
	return calls, retries
}

// Usage returns the calls and retries counted over the current window.
func (b *Budget) Usage() (calls, retries int64) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.sumLocked(b.cfg.Clock.Now().UnixNano() / b.width)
}

// Exhausted returns how many retries the budget has refused.
func (b *Budget) Exhausted() uint64 { return b.exhausted.Load() }
