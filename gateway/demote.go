package gateway

import (
	"sort"
	"sync/atomic"
)

// demotions are the backends demoted by an SLO's page alert (on_page:
// demote). A demoted backend's targets move behind the next target that
// is not demoted in every route that uses them; the order is restored
// when the demotion ends.
type demotions struct {
	// count is the number of demoted backends: while it is 0, routes keep
	// their order without reading any flag.
	count atomic.Int32
	// flags holds one flag per configured backend, shared by its targets;
	// the map is built by New and only read afterwards.
	flags map[string]*atomic.Bool
}

// SetDemoted demotes the named backend (demoted true) or restores it, for
// the requests that start afterwards. It reports whether the backend is
// configured; it is safe for concurrent use. Changes are logged at debug
// level: the caller (the server, acting on an SLO's page alert) says why.
func (g *Gateway) SetDemoted(backend string, demoted bool) bool {
	f, ok := g.demoted.flags[backend]
	if !ok {
		return false
	}
	if f.CompareAndSwap(!demoted, demoted) {
		if demoted {
			g.demoted.count.Add(1)
			g.log.Debug("backend demoted: its targets move behind the next target of each route", "backend", backend)
		} else {
			g.demoted.count.Add(-1)
			g.log.Debug("backend restored to its place in each route", "backend", backend)
		}
	}
	return true
}

// Demoted returns the demoted backends, sorted.
func (g *Gateway) Demoted() []string {
	out := []string{}
	if g.demoted.count.Load() == 0 {
		return out
	}
	for name, f := range g.demoted.flags {
		if f.Load() {
			out = append(out, name)
		}
	}
	sort.Strings(out)
	return out
}

// isDemoted reports whether the named backend is demoted.
func (g *Gateway) isDemoted(backend string) bool {
	f, ok := g.demoted.flags[backend]
	return ok && f.Load()
}

// maxStackTargets is the route length whose reordered chain is built
// without an allocation.
const maxStackTargets = 8

// order returns the targets of rt in the order they are tried: rt.targets
// itself (no copy, no allocation) while no backend is demoted; otherwise
// each demoted target moves behind the next target that is not demoted
// ([a, b, c] with a demoted: [b, a, c]; with a and b demoted: [c, a, b]).
// buf is where the reordered chain is built when it fits.
func (g *Gateway) order(rt *route, buf *[maxStackTargets]*target) []*target {
	if g.demoted.count.Load() == 0 {
		return rt.targets
	}
	first := -1
	for i, t := range rt.targets {
		if t.demoted.Load() {
			first = i
			break
		}
	}
	if first < 0 {
		return rt.targets
	}
	var out []*target
	if len(rt.targets) <= len(buf) {
		out = buf[:len(rt.targets)]
	} else {
		out = make([]*target, len(rt.targets))
	}
	copy(out, rt.targets)
	for i := first; i < len(out); {
		if !out[i].demoted.Load() {
			i++
			continue
		}
		j := i + 1
		for j < len(out) && out[j].demoted.Load() {
			j++
		}
		if j == len(out) {
			break // only demoted targets are left: they keep their order
		}
		next := out[j]
		copy(out[i+1:j+1], out[i:j])
		out[i] = next
		i = j + 1
	}
	return out
}
