package resilience

import "sync/atomic"

// window is a sliding window of call outcomes, safe for concurrent use
// without locks. Counts are eventually consistent: a reader racing writers
// may see one call's fields updated before another's.
type window interface {
	// record adds one outcome; nanos is the call's end time in nanoseconds
	// since the breaker's epoch (used by time windows only).
	record(failed, slow bool, nanos int64)
	// counts returns calls, failures and slow calls in the window at nanos.
	counts(nanos int64) (calls, failures, slow int64)
}

const (
	slotPresent uint32 = 1 << iota
	slotFailed
	slotSlow
)

func slotCode(failed, slow bool) uint32 {
	c := slotPresent
	if failed {
		c |= slotFailed
	}
	if slow {
		c |= slotSlow
	}
	return c
}

// countWindow keeps the outcomes of the last len(slots) calls in a ring.
// Writing a slot swaps out the outcome it replaces, so the running totals
// only change when the new outcome differs from the evicted one.
type countWindow struct {
	pos                   atomic.Uint64
	slots                 []atomic.Uint32
	calls, failures, slow atomic.Int64
}

func newCountWindow(size int) *countWindow {
	return &countWindow{slots: make([]atomic.Uint32, size)}
}

func (w *countWindow) record(failed, slow bool, _ int64) {
	code := slotCode(failed, slow)
	i := (w.pos.Add(1) - 1) % uint64(len(w.slots))
	old := w.slots[i].Swap(code)
	if old == code {
		return
	}
	if old&slotPresent == 0 {
		w.calls.Add(1)
	}
	if d := int64(code&slotFailed) - int64(old&slotFailed); d != 0 {
		w.failures.Add(d / int64(slotFailed))
	}
	if d := int64(code&slotSlow) - int64(old&slotSlow); d != 0 {
		w.slow.Add(d / int64(slotSlow))
	}
}

func (w *countWindow) counts(int64) (calls, failures, slow int64) {
	return w.calls.Load(), w.failures.Load(), w.slow.Load()
}

// timeWindow keeps the outcomes of the last len(buckets) × width
// nanoseconds. A bucket belongs to one epoch (nanos / width); the first
// writer of a new epoch claims and clears it.
type timeWindow struct {
	width   int64
	buckets []timeBucket
}

type timeBucket struct {
	epoch                 atomic.Int64
	calls, failures, slow atomic.Int64
}

func newTimeWindow(span int64, buckets int) *timeWindow {
	width := span / int64(buckets)
	if width <= 0 {
		width = 1
	}
	w := &timeWindow{width: width, buckets: make([]timeBucket, buckets)}
	for i := range w.buckets {
		w.buckets[i].epoch.Store(-1)
	}
	return w
}

func (w *timeWindow) record(failed, slow bool, nanos int64) {
	epoch := nanos / w.width
	b := &w.buckets[epoch%int64(len(w.buckets))]
	if cur := b.epoch.Load(); cur != epoch {
		if cur > epoch {
			return // a call that ended before the bucket was reused
		}
		if b.epoch.CompareAndSwap(cur, epoch) {
			b.calls.Store(0)
			b.failures.Store(0)
			b.slow.Store(0)
		}
	}
	b.calls.Add(1)
	if failed {
		b.failures.Add(1)
	}
	if slow {
		b.slow.Add(1)
	}
}

func (w *timeWindow) counts(nanos int64) (calls, failures, slow int64) {
	epoch := nanos / w.width
	oldest := epoch - int64(len(w.buckets)) + 1
	for i := range w.buckets {
		b := &w.buckets[i]
		if e := b.epoch.Load(); e >= oldest && e <= epoch {
			calls += b.calls.Load()
			failures += b.failures.Load()
			slow += b.slow.Load()
		}
	}
	return calls, failures, slow
}
