package health

// snapshot is an immutable view of every cached result, swapped atomically
// on each update so that requests read it without locking.
type snapshot struct {
	results []CheckResult  // in registration order
	index   map[string]int // name to position in results
	latched bool           // startup has passed once
	ready   Status         // readiness over the registered checks
	live    Status         // liveness over the registered checks, heartbeat aside
	startup Status         // startup over the registered checks
	score   float64        // composite score, 0 to 100
}

// newSnapshot computes the aggregates of results. Startup latches once every
// startup check has passed once.
func newSnapshot(results []CheckResult, index map[string]int, latched bool) *snapshot {
	s := &snapshot{results: results, index: index, latched: latched}
	s.startup = startupStatus(results, latched, nil)
	s.latched = s.startup == StatusPass
	s.ready = aggregate(results, Readiness, nil)
	s.live = aggregate(results, Liveness, nil)
	s.score = score(results)
	return s
}

// aggregate returns the status of the probe kind over results, leaving out
// the names skip reports: fail when a critical check fails, warn when a check
// warns or a non-critical one fails, pass otherwise.
func aggregate(results []CheckResult, kind Kind, skip func(string) bool) Status {
	st := StatusPass
	for i := range results {
		r := &results[i]
		if !r.Kind.Has(kind) || (skip != nil && skip(r.Name)) {
			continue
		}
		st = worst(st, r.effective())
	}
	return st
}

// startupStatus passes once latched, or when every startup check not skipped
// has passed at least once; it fails otherwise.
func startupStatus(results []CheckResult, latched bool, skip func(string) bool) Status {
	if latched {
		return StatusPass
	}
	for i := range results {
		r := &results[i]
		if r.Kind.Has(Startup) && !r.EverPassed && (skip == nil || !skip(r.Name)) {
			return StatusFail
		}
	}
	return StatusPass
}

// score is the weighted share of passing readiness checks, warn counting
// half, from 0 to 100. Checks with a negative weight are left out; with no
// check left the score is 100.
func score(results []CheckResult) float64 {
	var total, got float64
	for i := range results {
		r := &results[i]
		if !r.Kind.Has(Readiness) || r.Weight < 0 {
			continue
		}
		total += r.Weight
		got += r.Weight * r.Status.Value()
	}
	if total == 0 {
		return 100
	}
	return 100 * got / total
}
