package slo

import (
	"context"
	"sort"
	"sync"
	"time"
)

// MinuteStore keeps per-minute counts so that windows are read from
// minutes, and so that a restart, or another replica sharing the store,
// sees the same numbers. The store package implements it on SQLite and
// PostgreSQL (AdaptStore); MemoryStore is the in-process one.
type MinuteStore interface {
	// AddMinutes adds each count to what is stored for its SLO and minute:
	// replicas each add their own, and the store holds the sums.
	AddMinutes(ctx context.Context, counts []MinuteCount) error
	// Minutes returns the stored sums of every SLO for the minutes in
	// [from, to), ordered by minute; minutes without events may be absent.
	Minutes(ctx context.Context, from, to time.Time) ([]MinuteCount, error)
}

// MemoryStore is a MinuteStore and an AlertLog in memory: for tests, and
// for a gateway without a store. It is safe for concurrent use.
type MemoryStore struct {
	mu      sync.Mutex
	minutes map[memoryKey]counts
	alerts  []Alert
}

type memoryKey struct {
	slo    string
	minute int64
}

// NewMemoryStore returns an empty store.
func NewMemoryStore() *MemoryStore { return &MemoryStore{minutes: map[memoryKey]counts{}} }

// AddMinutes adds the counts.
func (s *MemoryStore) AddMinutes(_ context.Context, cs []MinuteCount) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	for _, c := range cs {
		k := memoryKey{c.SLO, minuteOf(c.Minute)}
		v := s.minutes[k]
		v.good += c.Good
		v.bad += c.Bad
		s.minutes[k] = v
	}
	return nil
}

// Minutes returns the sums in [from, to), ordered by minute then SLO.
func (s *MemoryStore) Minutes(_ context.Context, from, to time.Time) ([]MinuteCount, error) {
	lo, hi := minuteOf(from), minuteOf(to)
	s.mu.Lock()
	var out []MinuteCount
	for k, v := range s.minutes {
		if k.minute >= lo && k.minute < hi {
			out = append(out, MinuteCount{SLO: k.slo, Minute: minuteTime(k.minute), Good: v.good, Bad: v.bad})
		}
	}
	s.mu.Unlock()
	sort.Slice(out, func(i, j int) bool {
		if !out[i].Minute.Equal(out[j].Minute) {
			return out[i].Minute.Before(out[j].Minute)
		}
		return out[i].SLO < out[j].SLO
	})
	return out, nil
}

// Prune deletes the minutes before before.
func (s *MemoryStore) Prune(_ context.Context, before time.Time) (int, error) {
	lo := minuteOf(before)
	s.mu.Lock()
	defer s.mu.Unlock()
	n := 0
	for k := range s.minutes {
		if k.minute < lo {
			delete(s.minutes, k)
			n++
		}
	}
	return n, nil
}
