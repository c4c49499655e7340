package slo

import (
	"context"
	"fmt"
	"log/slog"
	"math"
	"math/big"
	"math/bits"
	"sync"
	"time"

	"github.com/flywheel-stack/flywheel/clock"
)

// longestWindow is the longest burn-rate window, in minutes.
var longestWindow = Windows[len(Windows)-1].Minutes

// DefaultRefresh is how far back each evaluation re-reads the store, so
// that counts other replicas (or this one) add late are seen.
const DefaultRefresh = 10 * time.Minute

// EvaluatorOptions configures an Evaluator.
type EvaluatorOptions struct {
	// Clock tells the time; nil means the real clock.
	Clock clock.Clock
	// Store keeps the minutes; nil means a MemoryStore of this evaluator's
	// own.
	Store MinuteStore
	// Minutes are the counts of this process's Recorder, drained into the
	// Store at each evaluation; nil when this process records nothing.
	Minutes *Minutes
	// Logger receives alert transitions and store trouble; nil means
	// slog.Default().
	Logger *slog.Logger
	// Refresh is how far back each evaluation re-reads the store. Default
	// DefaultRefresh.
	Refresh time.Duration
	// OnTransition, when set, is called for each alert that starts or
	// stops firing, after the evaluation that saw it.
	OnTransition func(Transition)
}

// Evaluator computes SLIs, error budgets, burn rates and alerts from
// per-minute counts, at the start of each minute of its clock. Windows end
// at the start of the current minute: the minute in progress is counted
// once it is over.
type Evaluator struct {
	set  *Set
	opts EvaluatorOptions
	clk  clock.Clock
	log  *slog.Logger

	mu       sync.Mutex
	index    map[string]int // SLO name to position
	hist     []*history
	rows     [][]threshold // per SLO, per AlertWindows row
	alerts   [][]alertState
	status   []Status
	pending  []MinuteCount // drained but not yet in the store
	stored   int64         // the earliest minute written since the last refresh
	storeErr bool
	flushMu  sync.Mutex
	started  bool
	cum      []total // scratch
}

// threshold is a row's bad-ratio threshold, factor * error budget, as a
// fraction num/den.
type threshold struct {
	num, den *big.Int
	small    bool // num and den fit in uint64
	n, d     uint64
}

type alertState struct {
	active bool
	since  time.Time
}

// NewEvaluator returns an evaluator of set; call Start before Tick.
func NewEvaluator(set *Set, opts EvaluatorOptions) *Evaluator {
	if opts.Store == nil {
		opts.Store = NewMemoryStore()
	}
	if opts.Refresh <= 0 {
		opts.Refresh = DefaultRefresh
	}
	e := &Evaluator{set: set, opts: opts, clk: clock.OrReal(opts.Clock), log: opts.Logger, stored: math.MaxInt64}
	if e.log == nil {
		e.log = slog.Default()
	}
	e.index = make(map[string]int, set.Len())
	for i := range set.Len() {
		o := set.At(i)
		e.index[o.Name()] = i
		e.hist = append(e.hist, newHistory(int(o.Period/time.Minute)))
		var rows []threshold
		for _, w := range AlertWindows {
			r := new(big.Rat).Mul(w.factor(o.Period), o.budget)
			t := threshold{num: new(big.Int).Set(r.Num()), den: new(big.Int).Set(r.Denom())}
			if t.num.IsUint64() && t.den.IsUint64() {
				t.small, t.n, t.d = true, t.num.Uint64(), t.den.Uint64()
			}
			rows = append(rows, t)
		}
		e.rows = append(e.rows, rows)
		e.alerts = append(e.alerts, make([]alertState, len(Severities())))
	}
	return e
}

// Start loads each SLO's period of minutes from the store and rebuilds the
// alerts' state from them: an alert whose rows hold now is active since
// the first minute of that run, and is not announced again; one that
// resolved stays resolved.
func (e *Evaluator) Start(ctx context.Context) error {
	now := minuteOf(e.clk.Now())
	longest := int64(0)
	for _, h := range e.hist {
		longest = max(longest, int64(len(h.slots)))
	}
	rows, err := e.opts.Store.Minutes(ctx, minuteTime(now-longest), minuteTime(now))
	e.mu.Lock()
	defer e.mu.Unlock()
	if err != nil {
		if e.status == nil {
			e.status = e.emptyStatus(now)
		}
		return fmt.Errorf("slo: loading minutes: %w", err)
	}
	for _, h := range e.hist {
		h.advance(now)
		h.clearRange(now-longest, now)
	}
	e.apply(rows)
	e.status = make([]Status, e.set.Len())
	for i := range e.hist {
		e.status[i] = e.evaluate(i, now)
		for s := range e.alerts[i] {
			e.alerts[i][s] = e.replay(i, s, now)
			e.status[i].Alerts[s].Active = e.alerts[i][s].active
			e.status[i].Alerts[s].Since = e.alerts[i][s].since
		}
	}
	e.started = true
	return nil
}

// emptyStatus is the status of every SLO without events.
func (e *Evaluator) emptyStatus(now int64) []Status {
	out := make([]Status, e.set.Len())
	for i := range out {
		out[i] = e.evaluate(i, now)
	}
	return out
}

// apply sets the history of each row's SLO and minute.
func (e *Evaluator) apply(rows []MinuteCount) {
	for _, r := range rows {
		if i, ok := e.index[r.SLO]; ok {
			e.hist[i].set(minuteOf(r.Minute), r.Good, r.Bad)
		}
	}
}

// Flush moves the recorder's counts into the store. Tick flushes too; Run
// also flushes ahead of each evaluation so that replicas sharing a store
// evaluate each minute on each other's counts. A store that fails keeps
// the counts for the next flush, and the numbers include them meanwhile.
func (e *Evaluator) Flush(ctx context.Context) error {
	if e.opts.Minutes != nil {
		drained := e.opts.Minutes.Drain()
		e.mu.Lock()
		e.pending = append(e.pending, drained...)
		e.mu.Unlock()
	}
	e.flushMu.Lock() // one write at a time, so that no count is written twice
	defer e.flushMu.Unlock()
	e.mu.Lock()
	pending := e.pending
	e.mu.Unlock()
	if len(pending) == 0 {
		return nil
	}
	err := e.opts.Store.AddMinutes(ctx, pending) // outside mu: Status stays quick
	e.mu.Lock()
	defer e.mu.Unlock()
	switch {
	case err != nil && !e.storeErr:
		e.log.Warn("slo: the minute store fails; keeping counts in memory until it is back", "err", err)
	case err == nil && e.storeErr:
		e.log.Info("slo: the minute store is back")
	}
	e.storeErr = err != nil
	if err != nil {
		return fmt.Errorf("slo: storing minutes: %w", err)
	}
	for _, p := range pending {
		e.stored = min(e.stored, minuteOf(p.Minute))
	}
	e.pending = e.pending[len(pending):] // counts drained meanwhile stay
	if len(e.pending) == 0 {
		e.pending = nil
	}
	return nil
}

// Tick evaluates at the clock's current minute: it flushes the recorder's
// counts, re-reads the recent minutes from the store, computes every SLO's
// numbers and alerts, and returns (and reports) the transitions. Tick
// must not be called concurrently with itself.
func (e *Evaluator) Tick(ctx context.Context) []Transition {
	e.mu.Lock()
	started := e.started
	e.mu.Unlock()
	if !started {
		if err := e.Start(ctx); err != nil {
			e.log.Warn("slo: cannot load minutes; starting empty", "err", err)
		}
	}
	_ = e.Flush(ctx) // logged; the counts stay pending
	now := minuteOf(e.clk.Now())
	e.mu.Lock()
	from := min(now-int64(e.opts.Refresh/time.Minute), e.stored)
	e.mu.Unlock()
	rows, err := e.opts.Store.Minutes(ctx, minuteTime(from), minuteTime(now))

	e.mu.Lock()
	defer e.mu.Unlock()
	for _, h := range e.hist {
		h.advance(now)
	}
	if err == nil {
		for _, h := range e.hist {
			h.clearRange(from, now)
		}
		e.apply(rows)
		e.stored = math.MaxInt64
	} else if !e.storeErr {
		e.storeErr = true
		e.log.Warn("slo: the minute store fails; keeping counts in memory until it is back", "err", err)
	}
	var out []Transition
	for i := range e.hist {
		st := e.evaluate(i, now)
		for s := range e.alerts[i] {
			a := &st.Alerts[s]
			prev := e.alerts[i][s]
			switch {
			case a.Active && !prev.active:
				e.alerts[i][s] = alertState{active: true, since: st.At}
				out = append(out, e.transition(i, st, s, true, st.At))
			case !a.Active && prev.active:
				e.alerts[i][s] = alertState{}
				out = append(out, e.transition(i, st, s, false, prev.since))
			}
			a.Since = e.alerts[i][s].since
		}
		e.status[i] = st
	}
	if e.opts.OnTransition != nil {
		e.mu.Unlock()
		for _, t := range out {
			e.opts.OnTransition(t)
		}
		e.mu.Lock()
	}
	return out
}

// transition builds and logs one transition.
func (e *Evaluator) transition(i int, st Status, s int, firing bool, since time.Time) Transition {
	o := e.set.At(i)
	t := Transition{SLO: o.Name(), Severity: Severities()[s], Firing: firing, Since: since, At: st.At,
		BurnRates: append([]float64(nil), st.BurnRates...), OnPage: o.Config.OnPage, Backend: o.Config.Backend}
	attrs := []any{"slo", t.SLO, "severity", string(t.Severity), "since", t.Since,
		"burn_rate_5m", st.BurnRates[0], "burn_rate_1h", st.BurnRates[2], "burn_rate_6h", st.BurnRates[4],
		"error_budget_remaining", st.BudgetRemaining}
	if firing {
		e.log.Warn("slo alert firing", attrs...)
	} else {
		e.log.Info("slo alert resolved", append(attrs, "duration", st.At.Sub(since))...)
	}
	return t
}

// overlay returns the pending counts of SLO i by minutes back from now
// (index k-1 for the k-th minute back), or nil when there are none.
func (e *Evaluator) overlay(i int, now int64) []total {
	var ov []total
	name := e.set.At(i).Name()
	for _, p := range e.pending {
		k := now - minuteOf(p.Minute)
		if p.SLO != name || k < 1 || k > int64(len(e.hist[i].slots)) {
			continue
		}
		if ov == nil {
			ov = make([]total, len(e.hist[i].slots))
		}
		ov[k-1].good += p.Good
		ov[k-1].bad += p.Bad
	}
	return ov
}

// evaluate computes SLO i's status with windows ending at minute now,
// and which alert rows hold; it leaves Since to the caller.
func (e *Evaluator) evaluate(i int, now int64) Status {
	o := e.set.At(i)
	h := e.hist[i]
	ov := e.overlay(i, now)
	e.cum = h.cumulative(e.cum, ov, longestWindow)
	cum := e.cum
	period := h.sum
	for _, c := range ov {
		period.good += c.good
		period.bad += c.bad
	}
	st := Status{Name: o.Name(), Objective: o.Config.Objective, Period: o.Config.Period, At: minuteTime(now),
		Good: period.good, Bad: period.bad, SLI: 1, BudgetRemaining: 1,
		BurnRates: make([]float64, len(Windows)), WindowEvents: make([]uint64, len(Windows)), TimeToExhaustion: -1}
	if n := period.events(); n > 0 {
		st.SLI = float64(period.good) / float64(n)
		st.BudgetRemaining = 1 - (float64(period.bad)/float64(n))/o.Budget
	}
	for w, win := range Windows {
		t := cum[win.Minutes]
		st.WindowEvents[w] = t.events()
		if t.events() > 0 {
			st.BurnRates[w] = float64(t.bad) / float64(t.events()) / o.Budget
		}
	}
	switch burn := st.BurnRates[0]; {
	case st.BudgetRemaining <= 0:
		st.TimeToExhaustion = 0
	case burn > 0:
		st.TimeToExhaustion = time.Duration(math.Min(st.BudgetRemaining*float64(o.Period)/burn, math.MaxInt64))
	}
	for _, sev := range Severities() {
		a := AlertStatus{Severity: sev}
		for r, row := range AlertWindows {
			if row.Severity != sev || !e.holds(i, r, cum, 0) {
				continue
			}
			if row.Speed == "quick" {
				a.Quick = true
			} else {
				a.Slow = true
			}
		}
		a.Active = a.Quick || a.Slow
		st.Alerts = append(st.Alerts, a)
	}
	return st
}

// holds reports whether row r of SLO i holds for windows ending j minutes
// before the end of cum: both windows have min_events and a bad ratio over
// the row's threshold.
func (e *Evaluator) holds(i, r int, cum []total, j int) bool {
	row := AlertWindows[r]
	minEvents := uint64(max(e.set.At(i).Config.MinEvents, 0))
	for _, w := range []int{Windows[row.Long].Minutes, Windows[row.Short].Minutes} {
		if j+w >= len(cum) {
			return false
		}
		t := cum[j+w].sub(cum[j])
		if t.events() < minEvents || !e.rows[i][r].exceeded(t) {
			return false
		}
	}
	return true
}

// exceeded reports whether bad/events > num/den, exactly.
func (t threshold) exceeded(c total) bool {
	if c.events() == 0 {
		return false
	}
	if t.small {
		lh, ll := bits.Mul64(c.bad, t.d)
		rh, rl := bits.Mul64(c.events(), t.n)
		return lh > rh || (lh == rh && ll > rl)
	}
	l := new(big.Int).Mul(new(big.Int).SetUint64(c.bad), t.den)
	return l.Cmp(new(big.Int).Mul(new(big.Int).SetUint64(c.events()), t.num)) > 0
}

// replay finds whether severity s of SLO i fires at minute now, and since
// when: the first evaluation of the run of minutes in which one of its
// rows held, as far back as the history allows.
func (e *Evaluator) replay(i, s int, now int64) alertState {
	e.cum = e.hist[i].cumulative(e.cum, nil, len(e.hist[i].slots))
	sev := Severities()[s]
	fires := func(j int) bool {
		for r, row := range AlertWindows {
			if row.Severity == sev && e.holds(i, r, e.cum, j) {
				return true
			}
		}
		return false
	}
	if !fires(0) {
		return alertState{}
	}
	j := 1
	for j < len(e.cum) && fires(j) {
		j++
	}
	return alertState{active: true, since: minuteTime(now - int64(j-1))}
}

// resolvedAt returns when severity sev of the SLO named name stopped
// firing, as of the last evaluation: the end of the last minute in which
// one of its rows held, looking back over the SLO's period; the last
// evaluation when none held in it (or the SLO is unknown). During a live
// evaluation that is the evaluation itself; after a restart, it is when
// the alert resolved while the process was down.
func (e *Evaluator) resolvedAt(name string, sev Severity) time.Time {
	e.mu.Lock()
	defer e.mu.Unlock()
	i, ok := e.index[name]
	if !ok || e.status == nil {
		return e.clk.Now().Truncate(time.Minute)
	}
	now := minuteOf(e.status[i].At)
	e.cum = e.hist[i].cumulative(e.cum, e.overlay(i, now), len(e.hist[i].slots))
	for j := 0; j < len(e.cum); j++ {
		for r, row := range AlertWindows {
			if row.Severity == sev && e.holds(i, r, e.cum, j) {
				return minuteTime(now - int64(max(j-1, 0)))
			}
		}
	}
	return minuteTime(now)
}

// Status returns every SLO's numbers at the last evaluation, in file
// order; nil before Start.
func (e *Evaluator) Status() []Status {
	e.mu.Lock()
	defer e.mu.Unlock()
	if e.status == nil {
		return nil
	}
	out := make([]Status, len(e.status))
	for i, s := range e.status {
		s.BurnRates = append([]float64(nil), s.BurnRates...)
		s.WindowEvents = append([]uint64(nil), s.WindowEvents...)
		s.Alerts = append([]AlertStatus(nil), s.Alerts...)
		out[i] = s
	}
	return out
}

// Run starts the evaluator, then every minute flushes the recorder's
// counts at delay/2 after the start of the minute and evaluates at delay
// after it (so that requests ending just before the minute are counted,
// and replicas whose clocks agree within delay/2 see each other's counts),
// until ctx is done. It returns ctx's error.
func (e *Evaluator) Run(ctx context.Context, delay time.Duration) error {
	if err := e.Start(ctx); err != nil {
		e.log.Warn("slo: cannot load minutes; starting empty", "err", err)
	}
	return e.loop(ctx, delay, nil)
}

// loop is Run after Start: after each evaluation it calls after, when not
// nil, with the evaluation's transitions.
func (e *Evaluator) loop(ctx context.Context, delay time.Duration, after func(context.Context, []Transition)) error {
	for {
		now := e.clk.Now()
		minute := now.Truncate(time.Minute)
		if now.Sub(minute) >= delay {
			minute = minute.Add(time.Minute)
		}
		if flushAt := minute.Add(delay / 2); flushAt.After(now) {
			if !e.sleep(ctx, flushAt.Sub(now)) {
				return ctx.Err()
			}
			_ = e.Flush(ctx)
		}
		if !e.sleep(ctx, minute.Add(delay).Sub(e.clk.Now())) {
			return ctx.Err()
		}
		trs := e.Tick(ctx)
		if after != nil {
			after(ctx, trs)
		}
	}
}

// sleep waits d on the clock; false when ctx ended first.
func (e *Evaluator) sleep(ctx context.Context, d time.Duration) bool {
	t := e.clk.NewTimer(d)
	defer t.Stop()
	select {
	case <-ctx.Done():
		return false
	case <-t.C():
		return true
	}
}
