package resilience

import (
	"context"
	"sort"
	"sync"
	"sync/atomic"
	"time"

	"github.com/flywheel-stack/flywheel/clock"
)

// RegistryConfig configures a Registry.
type RegistryConfig struct {
	// Default is the config of every breaker without an override. Its Name
	// is replaced by the key.
	Default BreakerConfig
	// Overrides maps a key to its own config.
	Overrides map[string]BreakerConfig
	// ConfigFor, if set, makes the config for a key instead of Default and
	// Overrides.
	ConfigFor func(key string) BreakerConfig
	// OnStateChange is called on every transition of every breaker; it is
	// chained after a config's own listener.
	OnStateChange func(Transition)
	// IdleTTL is how long a closed, unused breaker is kept. Default 1 h.
	IdleTTL time.Duration
	// MaxEntries bounds the number of breakers. Default 10000.
	MaxEntries int
	// Clock is given to every breaker that has none, and drives Run.
	Clock clock.Clock
}

// Registry holds breakers by key (for example "backend/model"), creating
// each on first use. Idle closed breakers are evicted: one that has not been
// used for a whole IdleTTL is dropped by the next sweep. It is safe for
// concurrent use; Get of an existing key takes no lock.
type Registry struct {
	cfg     RegistryConfig
	mu      sync.Mutex // serialises creation and sweeps
	entries sync.Map   // string -> *Breaker
	size    atomic.Int64
}

// NewRegistry returns an empty registry.
func NewRegistry(cfg RegistryConfig) *Registry {
	if cfg.IdleTTL <= 0 {
		cfg.IdleTTL = time.Hour
	}
	if cfg.MaxEntries <= 0 {
		cfg.MaxEntries = 10000
	}
	cfg.Clock = clock.OrReal(cfg.Clock)
	return &Registry{cfg: cfg}
}

// Get returns the breaker for key, creating it on first use.
func (r *Registry) Get(key string) *Breaker {
	if b, ok := r.entries.Load(key); ok {
		return b.(*Breaker)
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	if b, ok := r.entries.Load(key); ok {
		return b.(*Breaker)
	}
	if r.size.Load() >= int64(r.cfg.MaxEntries) {
		r.evictLocked(true)
	}
	b := NewBreaker(r.configFor(key))
	b.touched.Store(true)
	r.entries.Store(key, b)
	r.size.Add(1)
	return b
}

// Lookup returns the breaker for key if it exists.
func (r *Registry) Lookup(key string) (*Breaker, bool) {
	b, ok := r.entries.Load(key)
	if !ok {
		return nil, false
	}
	return b.(*Breaker), true
}

func (r *Registry) configFor(key string) BreakerConfig {
	var cfg BreakerConfig
	switch {
	case r.cfg.ConfigFor != nil:
		cfg = r.cfg.ConfigFor(key)
	default:
		cfg = r.cfg.Default
		if o, ok := r.cfg.Overrides[key]; ok {
			cfg = o
		}
	}
	cfg.Name = key
	if cfg.Clock == nil {
		cfg.Clock = r.cfg.Clock
	}
	if l := r.cfg.OnStateChange; l != nil {
		if own := cfg.OnStateChange; own != nil {
			cfg.OnStateChange = func(t Transition) { own(t); l(t) }
		} else {
			cfg.OnStateChange = l
		}
	}
	return cfg
}

// Sweep drops closed breakers unused since the previous sweep and marks the
// rest unused. Run calls it every IdleTTL.
func (r *Registry) Sweep() {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.evictLocked(false)
}

// evictLocked drops idle closed breakers; when force is set and nothing was
// idle, it drops closed breakers regardless, to stay within MaxEntries.
func (r *Registry) evictLocked(force bool) {
	evicted := 0
	r.entries.Range(func(k, v any) bool {
		b := v.(*Breaker)
		if b.touched.Swap(false) {
			return true
		}
		if b.cur.Load().state == StateClosed {
			r.entries.Delete(k)
			r.size.Add(-1)
			evicted++
		}
		return true
	})
	if !force || evicted > 0 {
		return
	}
	r.entries.Range(func(k, v any) bool {
		if v.(*Breaker).cur.Load().state == StateClosed {
			r.entries.Delete(k)
			r.size.Add(-1)
			return r.size.Load() >= int64(r.cfg.MaxEntries)
		}
		return true
	})
}

// Run sweeps every IdleTTL until ctx is done.
func (r *Registry) Run(ctx context.Context) {
	for {
		t := r.cfg.Clock.NewTimer(r.cfg.IdleTTL)
		select {
		case <-ctx.Done():
			t.Stop()
			return
		case <-t.C():
			r.Sweep()
		}
	}
}

// Len returns the number of breakers held.
func (r *Registry) Len() int { return int(r.size.Load()) }

// Snapshot returns every breaker's snapshot, sorted by name.
func (r *Registry) Snapshot() []Snapshot {
	var out []Snapshot
	r.entries.Range(func(_, v any) bool {
		out = append(out, v.(*Breaker).Snapshot())
		return true
	})
	sort.Slice(out, func(i, j int) bool { return out[i].Name < out[j].Name })
	return out
}

// Each calls fn for every breaker, in no particular order.
func (r *Registry) Each(fn func(*Breaker)) {
	r.entries.Range(func(_, v any) bool {
		fn(v.(*Breaker))
		return true
	})
}
