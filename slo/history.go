package slo

// history is one SLO's per-minute counts over its period, as the store
// holds them: a ring of the minutes in [end-len, end).
type history struct {
	slots []slot
	end   int64
	sum   total // of every slot
}

// slot is one minute's counts. uint32 keeps 30 days of minutes at 345 KB
// per SLO; a minute would need over 4 billion events to overflow.
type slot struct{ good, bad uint32 }

func newHistory(minutes int) *history { return &history{slots: make([]slot, minutes)} }

func (h *history) index(m int64) int {
	n := int64(len(h.slots))
	return int(((m % n) + n) % n)
}

// advance moves the end of the ring to end, emptying the minutes it
// enters.
func (h *history) advance(end int64) {
	if end <= h.end {
		return
	}
	if end-h.end >= int64(len(h.slots)) {
		clear(h.slots)
		h.sum = total{}
	} else {
		for m := h.end; m < end; m++ {
			h.zero(h.index(m))
		}
	}
	h.end = end
}

// set replaces the counts of minute m, when the ring covers it.
func (h *history) set(m int64, good, bad uint64) {
	if m >= h.end || m < h.end-int64(len(h.slots)) {
		return
	}
	i := h.index(m)
	h.zero(i)
	s := slot{clamp32(good), clamp32(bad)}
	h.slots[i] = s
	h.sum.good += uint64(s.good)
	h.sum.bad += uint64(s.bad)
}

// zero empties slot i.
func (h *history) zero(i int) {
	s := h.slots[i]
	h.sum.good -= uint64(s.good)
	h.sum.bad -= uint64(s.bad)
	h.slots[i] = slot{}
}

// clear empties the minutes in [from, to) that the ring covers.
func (h *history) clearRange(from, to int64) {
	from = max(from, h.end-int64(len(h.slots)))
	to = min(to, h.end)
	for m := from; m < to; m++ {
		h.zero(h.index(m))
	}
}

func clamp32(v uint64) uint32 {
	if v > 1<<32-1 {
		return 1<<32 - 1
	}
	return uint32(v)
}

// total is a good and bad count over some minutes.
type total struct{ good, bad uint64 }

func (t total) events() uint64 { return t.good + t.bad }

func (t total) sub(u total) total { return total{t.good - u.good, t.bad - u.bad} }

// cumulative fills cum[k] with the counts of the k minutes before end,
// k = 0..n (n at most the ring's length), adding overlay[k-1] (when not
// nil) to the k-th minute back.
func (h *history) cumulative(cum []total, overlay []total, n int) []total {
	n = min(n, len(h.slots))
	if cap(cum) < n+1 {
		cum = make([]total, n+1)
	}
	cum = cum[:n+1]
	cum[0] = total{}
	i := h.index(h.end - 1)
	for k := 1; k <= n; k++ {
		s := h.slots[i]
		c := total{cum[k-1].good + uint64(s.good), cum[k-1].bad + uint64(s.bad)}
		if overlay != nil {
			c.good += overlay[k-1].good
			c.bad += overlay[k-1].bad
		}
		cum[k] = c
		if i--; i < 0 {
			i = len(h.slots) - 1
		}
	}
	return cum
}
