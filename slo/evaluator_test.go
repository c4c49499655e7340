package slo

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"math"
	"os"
	"reflect"
	"strconv"
	"sync"
	"testing"
	"time"

	"github.com/flywheel-stack/flywheel/clock"
	"github.com/flywheel-stack/flywheel/config"
)

// The fixtures come from testdata/gen_evaluator_fixtures.py, which computes
// burn rates, alert rows and transitions with exact fractions,
// independently of this package.
type fixtures struct {
	Factors   map[string][]float64 `json:"factors"`
	Scenarios []scenario           `json:"scenarios"`
}

type scenario struct {
	Name    string `json:"name"`
	Minutes int    `json:"minutes"`
	SLOs    []struct {
		Name      string `json:"name"`
		Objective string `json:"objective"`
		Period    string `json:"period"`
		MinEvents int    `json:"min_events"`
	} `json:"slos"`
	Segments map[string][][4]uint64 `json:"segments"`
	Expected struct {
		Transitions []fixtureTransition            `json:"transitions"`
		Rows        map[string]map[string][][2]int `json:"rows"`
		Samples     []fixtureSample                `json:"samples"`
	} `json:"expected"`
}

type fixtureTransition struct {
	SLO      string `json:"slo"`
	Severity string `json:"severity"`
	Firing   bool   `json:"firing"`
	At       int    `json:"at"`
	Since    int    `json:"since"`
}

type fixtureSample struct {
	SLO             string    `json:"slo"`
	At              int       `json:"at"`
	BurnRates       []float64 `json:"burn_rates"`
	WindowEvents    []uint64  `json:"window_events"`
	Good            uint64    `json:"good"`
	Bad             uint64    `json:"bad"`
	SLI             float64   `json:"sli"`
	BudgetRemaining float64   `json:"budget_remaining"`
	TTESeconds      float64   `json:"tte_seconds"`
}

func loadFixtures(t *testing.T) fixtures {
	t.Helper()
	data, err := os.ReadFile("testdata/evaluator_fixtures.json")
	if err != nil {
		t.Fatal(err)
	}
	var f fixtures
	if err := json.Unmarshal(data, &f); err != nil {
		t.Fatal(err)
	}
	return f
}

func (sc scenario) set(t testing.TB) *Set {
	var slos []config.SLO
	for _, s := range sc.SLOs {
		obj, err := strconv.ParseFloat(s.Objective, 64)
		if err != nil {
			t.Fatal(err)
		}
		slos = append(slos, config.SLO{Name: s.Name, Kind: config.SLOAvailability, Objective: obj,
			Period: config.SLOPeriod(s.Period), MinEvents: s.MinEvents})
	}
	return mustCompile(t, slos...)
}

// counts returns SLO name's good and bad count in minute m.
func (sc scenario) counts(name string, m int) (good, bad uint64) {
	for _, seg := range sc.Segments[name] {
		if uint64(m) >= seg[0] && uint64(m) < seg[1] {
			good += seg[2]
			bad += seg[3]
		}
	}
	return good, bad
}

var rowNames = []string{"page_quick", "page_slow", "ticket_quick", "ticket_slow"}

// run is the outcome of playing a scenario on the fake clock.
type run struct {
	transitions []fixtureTransition
	rows        map[string]map[string][][2]int
	status      map[[2]any]Status // by SLO name and minute
}

// replica is one process: its recorder's minutes and its evaluator.
type replica struct {
	minutes *Minutes
	eval    *Evaluator
}

func discard() *slog.Logger { return slog.New(slog.NewTextHandler(io.Discard, nil)) }

// play feeds the scenario minute by minute: the counts of minute m-1 are
// recorded (split over the replicas, good to the first and bad to the
// last), then each replica flushes, then each evaluates at m minutes and 2
// seconds. At each minute in restarts, the replicas are replaced by new
// ones on the same store before the minute's counts are recorded. The
// transitions and rows are those of the first replica.
func play(t *testing.T, sc scenario, store MinuteStore, replicas int, restarts ...int) run {
	t.Helper()
	ctx := context.Background()
	set := sc.set(t)
	clk := clock.NewFake(t0)
	newReplicas := func() []replica {
		rs := make([]replica, replicas)
		for i := range rs {
			m := NewMinutes(set)
			rs[i] = replica{m, NewEvaluator(set, EvaluatorOptions{Clock: clk, Store: store, Minutes: m, Logger: discard()})}
			if err := rs[i].eval.Start(ctx); err != nil {
				t.Fatal(err)
			}
		}
		return rs
	}
	rs := newReplicas()
	out := run{rows: map[string]map[string][][2]int{}, status: map[[2]any]Status{}}
	for _, s := range sc.SLOs {
		out.rows[s.Name] = map[string][][2]int{}
		for _, r := range rowNames {
			out.rows[s.Name][r] = [][2]int{}
		}
	}
	restartAt := map[int]bool{}
	for _, r := range restarts {
		restartAt[r] = true
	}
	minute := func(t time.Time) int { return int(t.Sub(t0) / time.Minute) }
	for m := 1; m <= sc.Minutes; m++ {
		if restartAt[m] {
			rs = newReplicas()
		}
		for i := range set.Len() {
			good, bad := sc.counts(set.At(i).Name(), m-1)
			at := minuteOf(t0) + int64(m-1)
			if good > 0 {
				rs[0].minutes.add(i, at, Good, good)
			}
			if bad > 0 {
				rs[len(rs)-1].minutes.add(i, at, Bad, bad)
			}
		}
		clk.Set(t0.Add(time.Duration(m)*time.Minute + 2*time.Second))
		for _, r := range rs {
			if err := r.eval.Flush(ctx); err != nil {
				t.Fatal(err)
			}
		}
		var trs []Transition
		for i, r := range rs {
			if got := r.eval.Tick(ctx); i == 0 {
				trs = got
			}
		}
		for _, tr := range trs {
			out.transitions = append(out.transitions, fixtureTransition{SLO: tr.SLO, Severity: string(tr.Severity),
				Firing: tr.Firing, At: minute(tr.At), Since: minute(tr.Since)})
		}
		statuses := rs[0].eval.Status()
		for i, r := range rs[1:] {
			if other := r.eval.Status(); !reflect.DeepEqual(other, statuses) {
				t.Fatalf("minute %d: replica %d sees\n%+v\nreplica 0 sees\n%+v", m, i+1, other, statuses)
			}
		}
		for _, st := range statuses {
			out.status[[2]any{st.Name, m}] = st
			holds := []bool{st.Alerts[0].Quick, st.Alerts[0].Slow, st.Alerts[1].Quick, st.Alerts[1].Slow}
			for r, h := range holds {
				if !h {
					continue
				}
				iv := out.rows[st.Name][rowNames[r]]
				if n := len(iv); n > 0 && iv[n-1][1] == m {
					iv[n-1][1] = m + 1
				} else {
					iv = append(iv, [2]int{m, m + 1})
				}
				out.rows[st.Name][rowNames[r]] = iv
			}
		}
	}
	return out
}

func near(a, b float64) bool {
	return a == b || math.Abs(a-b) <= 1e-9*math.Max(math.Abs(a), math.Abs(b))
}

// check compares a run with the scenario's expected values.
func check(t *testing.T, sc scenario, got run) {
	t.Helper()
	want := sc.Expected.Transitions
	if len(want) == 0 {
		want = nil
	}
	if !reflect.DeepEqual(got.transitions, want) {
		t.Errorf("transitions:\n got %+v\nwant %+v", got.transitions, want)
	}
	if !reflect.DeepEqual(got.rows, sc.Expected.Rows) {
		t.Errorf("minutes in which each row holds:\n got %v\nwant %v", got.rows, sc.Expected.Rows)
	}
	for _, w := range sc.Expected.Samples {
		st, ok := got.status[[2]any{w.SLO, w.At}]
		if !ok {
			t.Errorf("no status of %s at minute %d", w.SLO, w.At)
			continue
		}
		where := fmt.Sprintf("%s at minute %d", w.SLO, w.At)
		if !reflect.DeepEqual(st.WindowEvents, w.WindowEvents) || st.Good != w.Good || st.Bad != w.Bad {
			t.Errorf("%s: window events %v, period %d/%d; want %v, %d/%d", where, st.WindowEvents, st.Good, st.Bad, w.WindowEvents, w.Good, w.Bad)
		}
		for i := range Windows {
			if !near(st.BurnRates[i], w.BurnRates[i]) {
				t.Errorf("%s: burn rate %s = %.15g, want %.15g", where, Windows[i].Name, st.BurnRates[i], w.BurnRates[i])
			}
		}
		if !near(st.SLI, w.SLI) || !near(st.BudgetRemaining, w.BudgetRemaining) {
			t.Errorf("%s: SLI %.15g, budget remaining %.15g; want %.15g, %.15g", where, st.SLI, st.BudgetRemaining, w.SLI, w.BudgetRemaining)
		}
		tte := st.TimeToExhaustion.Seconds()
		if st.TimeToExhaustion < 0 {
			tte = -1
		}
		if !near(tte, w.TTESeconds) && math.Abs(tte-w.TTESeconds) > 1e-6 {
			t.Errorf("%s: time to exhaustion %.9gs, want %.9gs", where, tte, w.TTESeconds)
		}
	}
}

// TestFactors checks the burn-rate factors of each period against the
// reference.
func TestFactors(t *testing.T) {
	t.Parallel()
	f := loadFixtures(t)
	for period, want := range f.Factors {
		d := config.SLOPeriod(period).Duration()
		for r, row := range AlertWindows {
			if got := row.Factor(d); !near(got, want[r]) {
				t.Errorf("%s %s %s: factor %.15g, want %.15g", period, row.Severity, row.Speed, got, want[r])
			}
		}
	}
}

// TestEvaluatorScenarios plays each scenario minute by minute: every row
// holds exactly in the minutes the reference computes (so each alert fires
// in the minute its threshold is crossed and not one earlier, resolves when
// it should, and min_events keeps quiet windows quiet), and the numbers at
// the sampled minutes match.
func TestEvaluatorScenarios(t *testing.T) {
	t.Parallel()
	for _, sc := range loadFixtures(t).Scenarios {
		t.Run(sc.Name, func(t *testing.T) {
			t.Parallel()
			check(t, sc, play(t, sc, NewMemoryStore(), 1))
		})
	}
}

// TestEvaluatorRestart replaces the process at minutes in the middle of
// burns and after resolutions: the state rebuilt from the stored minutes
// neither forgets a burn (the alert resolves at the same minute, with its
// original start) nor fires again one that is active or resolved.
func TestEvaluatorRestart(t *testing.T) {
	t.Parallel()
	restarts := map[string][]int{
		"burn-and-recover-30d": {1483, 1484, 1485, 1600, 1821, 1830, 2142, 2500},
		"slow-burn-30d":        {4801, 5000, 5710},
		"low-traffic":          {603, 700},
		"periods":              {742, 800, 926, 1000},
	}
	for _, sc := range loadFixtures(t).Scenarios {
		if restarts[sc.Name] == nil {
			continue
		}
		t.Run(sc.Name, func(t *testing.T) {
			t.Parallel()
			check(t, sc, play(t, sc, NewMemoryStore(), 1, restarts[sc.Name]...))
		})
	}
}

// TestEvaluatorReplicas splits each minute's counts over two replicas
// sharing a store: after both flush, both evaluate to the same numbers
// (play fails otherwise), and the alerts are the reference's.
func TestEvaluatorReplicas(t *testing.T) {
	t.Parallel()
	for _, sc := range loadFixtures(t).Scenarios[:2] {
		t.Run(sc.Name, func(t *testing.T) {
			t.Parallel()
			check(t, sc, play(t, sc, NewMemoryStore(), 2))
		})
	}
}

// flakyStore fails while down is set.
type flakyStore struct {
	MinuteStore
	mu   sync.Mutex
	down bool
}

var errDown = errors.New("store down")

func (f *flakyStore) setDown(d bool) { f.mu.Lock(); f.down = d; f.mu.Unlock() }

func (f *flakyStore) isDown() bool { f.mu.Lock(); defer f.mu.Unlock(); return f.down }

func (f *flakyStore) AddMinutes(ctx context.Context, c []MinuteCount) error {
	if f.isDown() {
		return errDown
	}
	return f.MinuteStore.AddMinutes(ctx, c)
}

func (f *flakyStore) Minutes(ctx context.Context, from, to time.Time) ([]MinuteCount, error) {
	if f.isDown() {
		return nil, errDown
	}
	return f.MinuteStore.Minutes(ctx, from, to)
}

// TestEvaluatorStoreOutage takes the store down through the fast burn: the
// evaluator keeps counting in memory, fires and resolves on time, and
// writes everything once the store is back.
func TestEvaluatorStoreOutage(t *testing.T) {
	t.Parallel()
	sc := loadFixtures(t).Scenarios[0]
	mem := NewMemoryStore()
	store := &flakyStore{MinuteStore: mem}
	ctx := context.Background()
	set := sc.set(t)
	clk := clock.NewFake(t0)
	minutes := NewMinutes(set)
	ev := NewEvaluator(set, EvaluatorOptions{Clock: clk, Store: store, Minutes: minutes, Logger: discard()})
	if err := ev.Start(ctx); err != nil {
		t.Fatal(err)
	}
	var got []fixtureTransition
	var total counts
	for m := 1; m <= sc.Minutes; m++ {
		store.setDown(m >= 1400 && m < 1900)
		good, bad := sc.counts("avail", m-1)
		minutes.add(0, minuteOf(t0)+int64(m-1), Good, good)
		if bad > 0 {
			minutes.add(0, minuteOf(t0)+int64(m-1), Bad, bad)
		}
		total.good += good
		total.bad += bad
		clk.Set(t0.Add(time.Duration(m)*time.Minute + 2*time.Second))
		for _, tr := range ev.Tick(ctx) {
			got = append(got, fixtureTransition{SLO: tr.SLO, Severity: string(tr.Severity), Firing: tr.Firing,
				At: int(tr.At.Sub(t0) / time.Minute), Since: int(tr.Since.Sub(t0) / time.Minute)})
		}
	}
	if !reflect.DeepEqual(got, sc.Expected.Transitions) {
		t.Errorf("transitions with the store down in minutes 1400-1899:\n got %+v\nwant %+v", got, sc.Expected.Transitions)
	}
	rows, _ := mem.Minutes(ctx, t0, t0.Add(time.Duration(sc.Minutes)*time.Minute))
	var stored counts
	for _, r := range rows {
		stored.good += r.Good
		stored.bad += r.Bad
	}
	if stored != total {
		t.Errorf("stored %+v after the outage, want %+v", stored, total)
	}
}

// TestRun checks the loop on the fake clock: it flushes at delay/2 and
// evaluates at delay after each minute, and stops with its context.
func TestRun(t *testing.T) {
	t.Parallel()
	set := mustCompile(t, config.SLO{Name: "a", Kind: config.SLOAvailability, Objective: 99, MinEvents: 1})
	clk := clock.NewFake(t0.Add(30 * time.Second))
	store := NewMemoryStore()
	minutes := NewMinutes(set)
	fired := make(chan Transition, 4)
	ev := NewEvaluator(set, EvaluatorOptions{Clock: clk, Store: store, Minutes: minutes, Logger: discard(),
		OnTransition: func(tr Transition) { fired <- tr }})
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error)
	go func() { done <- ev.Run(ctx, 10*time.Second) }()
	wait := func() {
		t.Helper()
		wctx, wcancel := context.WithTimeout(ctx, 10*time.Second)
		defer wcancel()
		if err := clk.WaitForTimers(wctx, 1); err != nil {
			t.Fatal("Run set no timer")
		}
	}
	minutes.Add(0, t0.Add(40*time.Second), Bad) // minute 0
	wait()
	if in := clk.NextTimerIn(); in != 35*time.Second { // 00:30 -> 01:05
		t.Fatalf("first timer in %s, want 35s (flush at 1m05s)", in)
	}
	clk.Advance(35 * time.Second)
	wait()
	if rows, _ := store.Minutes(ctx, t0, t0.Add(time.Hour)); len(rows) != 1 || rows[0].Bad != 1 {
		t.Fatalf("after the flush the store holds %+v, want minute 0 with 1 bad", rows)
	}
	select {
	case tr := <-fired:
		t.Fatalf("evaluated before 1m10s: %+v", tr)
	default:
	}
	if in := clk.NextTimerIn(); in != 5*time.Second {
		t.Fatalf("evaluation in %s, want 5s (at 1m10s)", in)
	}
	clk.Advance(5 * time.Second)
	for range 2 {
		select {
		case tr := <-fired:
			if !tr.Firing || !tr.At.Equal(t0.Add(time.Minute)) {
				t.Errorf("transition %+v, want firing at 00:01", tr)
			}
		case <-time.After(10 * time.Second):
			t.Fatal("no page and ticket after the evaluation at 1m10s")
		}
	}
	wait()
	if in := clk.NextTimerIn(); in != 55*time.Second {
		t.Errorf("next flush in %s, want 55s (at 2m05s)", in)
	}
	cancel()
	if err := <-done; !errors.Is(err, context.Canceled) {
		t.Errorf("Run = %v, want context.Canceled", err)
	}
}
