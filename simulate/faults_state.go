package simulate

import "time"

// Faults returns the faults in force. LoadingUntil is set only while the
// loading period lasts.
func (s *Server) Faults() Faults {
	f := *s.faults.Load()
	if !f.LoadingUntil.IsZero() && !s.clk.Now().Before(f.LoadingUntil) {
		f.LoadingUntil = time.Time{}
	}
	return f
}

// SetFaults replaces every fault with f. A positive f.LoadingFor starts a
// loading period now; f.LoadingUntil is ignored.
func (s *Server) SetFaults(f Faults) error {
	if err := f.validate(); err != nil {
		return err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	s.storeFaults(f, *s.faults.Load(), true, s.clk.Now())
	return nil
}

// UpdateFaults changes the faults in force with fn, atomically with respect
// to other updates. The loading period restarts only when fn changes
// LoadingFor (use SetFaults to restart it with the same length).
func (s *Server) UpdateFaults(fn func(*Faults)) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	cur := *s.faults.Load()
	next := cur
	fn(&next)
	if err := next.validate(); err != nil {
		return err
	}
	s.storeFaults(next, cur, next.LoadingFor != cur.LoadingFor, s.clk.Now())
	return nil
}

// ResetFaults clears every fault. TTFT and TokensPerSecond go back to the
// values in Config.Faults: the simulator's healthy speed.
func (s *Server) ResetFaults() {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.storeFaults(s.base, *s.faults.Load(), true, s.clk.Now())
}

// applyPatch applies a POST /_sim/faults body.
func (s *Server) applyPatch(p faultsPatch) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	cur := *s.faults.Load()
	from := cur
	if p.ResetAll {
		from = s.base
	}
	next, arm := p.apply(from)
	if err := next.validate(); err != nil {
		return err
	}
	s.storeFaults(next, cur, arm || p.ResetAll, s.clk.Now())
	return nil
}

// storeFaults publishes next. With arm the loading period restarts from now
// (or ends, when LoadingFor is 0); otherwise it keeps prev's end.
func (s *Server) storeFaults(next, prev Faults, arm bool, now time.Time) {
	next.LoadingUntil = prev.LoadingUntil
	if arm {
		next.LoadingUntil = time.Time{}
		if next.LoadingFor > 0 {
			next.LoadingUntil = now.Add(next.LoadingFor)
		}
	}
	s.faults.Store(&next)
}
