package slo

import (
	"sort"
	"sync"
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
// them on. It is safe for concurrent use; each SLO has its own lock, so
// requests judged against different SLOs do not contend.
type Minutes struct {
	names []string
	slos  []*sloMinutes
}

// sloMinutes is one SLO's counts not yet drained: the latest minute seen,
// and earlier minutes that events still arrived for.
type sloMinutes struct {
	mu      sync.Mutex
	minute  int64
	current counts
	earlier []minuteCounts // unordered; rare
	_       [64]byte       // keep SLOs' locks on separate cache lines
}

type minuteCounts struct {
	minute int64
	counts
}

// NewMinutes returns an aggregator for the SLOs of set.
func NewMinutes(set *Set) *Minutes {
	m := &Minutes{names: make([]string, set.Len()), slos: make([]*sloMinutes, set.Len())}
	for i := range m.slos {
		m.names[i] = set.At(i).Name()
		m.slos[i] = &sloMinutes{}
	}
	return m
}

// Add counts one judgement of the i-th SLO in the minute of t. NotCounted
// is ignored. It does not allocate, except once per SLO when an event
// arrives for a minute before the latest one.
func (m *Minutes) Add(i int, t time.Time, r Result) {
	if r == NotCounted {
		return
	}
	m.add(i, minuteOf(t), r, 1)
}

func (m *Minutes) add(i int, minute int64, r Result, n uint64) {
	s := m.slos[i]
	s.mu.Lock()
	c := &s.current
	switch {
	case minute == s.minute:
	case minute > s.minute:
		if s.current != (counts{}) {
			s.earlier = append(s.earlier, minuteCounts{s.minute, s.current})
		}
		s.minute, s.current = minute, counts{}
	default:
		c = nil
		for j := range s.earlier {
			if s.earlier[j].minute == minute {
				c = &s.earlier[j].counts
				break
			}
		}
		if c == nil {
			s.earlier = append(s.earlier, minuteCounts{minute: minute})
			c = &s.earlier[len(s.earlier)-1].counts
		}
	}
	if r == Good {
		c.good += n
	} else {
		c.bad += n
	}
	s.mu.Unlock()
}

// Drain returns the counts added since the last Drain, one per SLO and
// minute with events, ordered by SLO (in file order) then minute, and
// forgets them.
func (m *Minutes) Drain() []MinuteCount {
	var out []MinuteCount
	for i, s := range m.slos {
		s.mu.Lock()
		earlier := s.earlier
		cur, minute := s.current, s.minute
		s.earlier, s.current = nil, counts{}
		s.mu.Unlock()
		start := len(out)
		for _, e := range earlier {
			out = append(out, MinuteCount{SLO: m.names[i], Minute: minuteTime(e.minute), Good: e.good, Bad: e.bad})
		}
		if cur != (counts{}) {
			out = append(out, MinuteCount{SLO: m.names[i], Minute: minuteTime(minute), Good: cur.good, Bad: cur.bad})
		}
		part := out[start:]
		sort.Slice(part, func(a, b int) bool { return part[a].Minute.Before(part[b].Minute) })
	}
	return out
}
