package slo

import (
	"math"
	"sort"
	"sync"
	"sync/atomic"
	"time"
)

// MinuteCount is the number of good and bad events of one SLO in one
// minute.
type MinuteCount struct {
	// SLO is the SLO's name.
	SLO string
	// Minute is the start of the minute, in UTC.
	Minute time.Time
	// Good and Bad are the counts.
	Good, Bad uint64
}

// minuteOf returns the minute of t as minutes since the Unix epoch.
func minuteOf(t time.Time) int64 {
	s := t.Unix()
	if s < 0 && s%60 != 0 {
		return s/60 - 1
	}
	return s / 60
}

// minuteTime is the start of minute m, in UTC.
func minuteTime(m int64) time.Time { return time.Unix(m*60, 0).UTC() }

// counts is a good and bad count.
type counts struct{ good, bad uint64 }

// Minutes counts judgements per SLO and minute in memory until Drain hands
// them on. It is safe for concurrent use, and counting takes no lock: each
// SLO has four minute slots, and an event adds to the slot of its minute
// with one atomic add; only the first event of a minute, which takes the
// slot over from the minute four before, locks.
type Minutes struct {
	names []string
	slos  []*sloMinutes
}

// sloMinutes is one SLO's counts not yet drained.
type sloMinutes struct {
	slots [4]minuteSlot
	mu    sync.Mutex     // taking a slot over, draining
	older []minuteCounts // counts moved out of slots, and events for minutes no slot holds
	_     [64]byte       // keep SLOs apart in cache
}

// minuteSlot counts one minute. An add racing with the slot's takeover
// four minutes later would count in the new minute; that takes a
// goroutine stalled for four minutes between two instructions.
type minuteSlot struct {
	minute    atomic.Int64
	good, bad atomic.Uint64
}

type minuteCounts struct {
	minute int64
	counts
}

// noMinute marks a slot that holds no minute yet.
const noMinute = math.MinInt64

// NewMinutes returns an aggregator for the SLOs of set.
func NewMinutes(set *Set) *Minutes {
	m := &Minutes{names: make([]string, set.Len()), slos: make([]*sloMinutes, set.Len())}
	for i := range m.slos {
		m.names[i] = set.At(i).Name()
		m.slos[i] = &sloMinutes{}
		for j := range m.slos[i].slots {
			m.slos[i].slots[j].minute.Store(noMinute)
		}
	}
	return m
}

// Add counts one judgement of the i-th SLO in the minute of t. NotCounted
// is ignored. It does not allocate, except when an event arrives for a
// minute more than three minutes older than the latest.
func (m *Minutes) Add(i int, t time.Time, r Result) {
	if r == NotCounted {
		return
	}
	m.add(i, minuteOf(t), r, 1)
}

func (m *Minutes) add(i int, minute int64, r Result, n uint64) {
	s := m.slos[i]
	slot := &s.slots[minute&3]
	if slot.minute.Load() != minute && !s.claim(slot, minute, r, n) {
		return
	}
	if r == Good {
		slot.good.Add(n)
	} else {
		slot.bad.Add(n)
	}
}

// claim makes slot count minute, moving the counts of the minute it held
// aside. When the slot holds a later minute (the event is over three
// minutes late), it counts the event aside itself and returns false.
func (s *sloMinutes) claim(slot *minuteSlot, minute int64, r Result, n uint64) bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	old := slot.minute.Load()
	switch {
	case old == minute:
		return true
	case old > minute:
		c := counts{}
		if r == Good {
			c.good = n
		} else {
			c.bad = n
		}
		s.older = append(s.older, minuteCounts{minute, c})
		return false
	}
	if c := (counts{slot.good.Swap(0), slot.bad.Swap(0)}); c != (counts{}) {
		s.older = append(s.older, minuteCounts{old, c})
	}
	slot.minute.Store(minute)
	return true
}

// Drain returns the counts added since the last Drain, one per SLO and
// minute with events, ordered by SLO (in file order) then minute, and
// forgets them.
func (m *Minutes) Drain() []MinuteCount {
	var out []MinuteCount
	for i, s := range m.slos {
		s.mu.Lock()
		all := s.older
		s.older = nil
		for j := range s.slots {
			slot := &s.slots[j]
			if c := (counts{slot.good.Swap(0), slot.bad.Swap(0)}); c != (counts{}) {
				all = append(all, minuteCounts{slot.minute.Load(), c})
			}
		}
		s.mu.Unlock()
		sort.Slice(all, func(a, b int) bool { return all[a].minute < all[b].minute })
		for j, c := range all {
			if j > 0 && c.minute == all[j-1].minute {
				last := &out[len(out)-1]
				last.Good += c.good
				last.Bad += c.bad
				continue
			}
			out = append(out, MinuteCount{SLO: m.names[i], Minute: minuteTime(c.minute), Good: c.good, Bad: c.bad})
		}
	}
	return out
}
