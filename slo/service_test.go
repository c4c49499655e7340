package slo

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"reflect"
	"sort"
	"sync"
	"testing"
	"time"

	"github.com/flywheel-stack/flywheel/clock"
	"github.com/flywheel-stack/flywheel/config"
	"github.com/flywheel-stack/flywheel/telemetry"
)

// announcements captures the "slo alert announced" and "slo alert
// resolution announced" log lines of one or more services.
type announcements struct {
	mu  sync.Mutex
	got []string
}

func (a *announcements) Enabled(context.Context, slog.Level) bool { return true }
func (a *announcements) WithAttrs([]slog.Attr) slog.Handler       { return a }
func (a *announcements) WithGroup(string) slog.Handler            { return a }
func (a *announcements) Handle(_ context.Context, r slog.Record) error {
	if r.Message != "slo alert announced" && r.Message != "slo alert resolution announced" {
		return nil
	}
	attrs := map[string]slog.Value{}
	r.Attrs(func(at slog.Attr) bool { attrs[at.Key] = at.Value; return true })
	line := fmt.Sprintf("%s %s firing since %d", attrs["slo"], attrs["severity"], minuteNo(attrs["start"].Time()))
	if end, ok := attrs["end"]; ok {
		line = fmt.Sprintf("%s %s resolved at %d (since %d)", attrs["slo"], attrs["severity"], minuteNo(end.Time()), minuteNo(attrs["start"].Time()))
	}
	a.mu.Lock()
	a.got = append(a.got, line)
	a.mu.Unlock()
	return nil
}

func (a *announcements) lines() []string {
	a.mu.Lock()
	defer a.mu.Unlock()
	return append([]string(nil), a.got...)
}

func minuteNo(t time.Time) int { return int(t.Sub(t0) / time.Minute) }

// expectedAnnouncements are the scenario's transitions as announcement
// lines, each once.
func expectedAnnouncements(sc scenario, upTo int) []string {
	var out []string
	for _, tr := range sc.Expected.Transitions {
		if tr.At > upTo {
			continue
		}
		if tr.Firing {
			out = append(out, fmt.Sprintf("%s %s firing since %d", tr.SLO, tr.Severity, tr.Since))
		} else {
			out = append(out, fmt.Sprintf("%s %s resolved at %d (since %d)", tr.SLO, tr.Severity, tr.At, tr.Since))
		}
	}
	return out
}

// expectedLog is the alert log the scenario's transitions make.
func expectedLog(sc scenario, upTo int) []string {
	var out []string
	for _, tr := range sc.Expected.Transitions {
		if tr.Firing && tr.At <= upTo {
			out = append(out, fmt.Sprintf("%s %s %d-", tr.SLO, tr.Severity, tr.Since))
		}
	}
	for _, tr := range sc.Expected.Transitions {
		if !tr.Firing && tr.At <= upTo {
			prefix := fmt.Sprintf("%s %s %d-", tr.SLO, tr.Severity, tr.Since)
			for i := range out {
				if out[i] == prefix {
					out[i] += fmt.Sprint(tr.At)
				}
			}
		}
	}
	return out
}

func logLines(t *testing.T, l AlertLog) []string {
	t.Helper()
	all, err := l.Alerts(context.Background(), AlertQuery{})
	if err != nil {
		t.Fatal(err)
	}
	var out []string
	for _, a := range all {
		line := fmt.Sprintf("%s %s %d-", a.SLO, a.Severity, minuteNo(a.Start))
		if !a.Active() {
			line += fmt.Sprint(minuteNo(a.End))
		}
		out = append(out, line)
	}
	return out
}

// feeder writes a scenario's counts into a store minute by minute, as the
// other replicas of a fleet would, and moves the clock.
type feeder struct {
	t     *testing.T
	sc    scenario
	set   *Set
	store MinuteStore
	clk   *clock.Fake
	next  int // the next minute to write
}

// to writes the counts of the minutes before m and sets the clock to 2 s
// into minute m.
func (f *feeder) to(m int) {
	f.t.Helper()
	for ; f.next < m; f.next++ {
		var batch []MinuteCount
		for i := range f.set.Len() {
			name := f.set.At(i).Name()
			if good, bad := f.sc.counts(name, f.next); good+bad > 0 {
				batch = append(batch, MinuteCount{SLO: name, Minute: t0.Add(time.Duration(f.next) * time.Minute), Good: good, Bad: bad})
			}
		}
		if err := f.store.AddMinutes(context.Background(), batch); err != nil {
			f.t.Fatal(err)
		}
	}
	f.clk.Set(t0.Add(time.Duration(m)*time.Minute + 2*time.Second))
}

// TestServiceRestartAnnouncesWhatHappenedWhileDown stops the only process
// through the start of a burn, then through its end: the process started
// in the middle of the burn announces the alerts that started while none
// ran, with their true start; the one started after the page resolved
// announces its end at the minute it stopped; nothing is announced twice,
// and the alert log holds each alert once with its start and end.
func TestServiceRestartAnnouncesWhatHappenedWhileDown(t *testing.T) {
	t.Parallel()
	for name, open := range map[string]func(*testing.T) MinuteStore{
		"memory": func(*testing.T) MinuteStore { return NewMemoryStore() },
		"sqlite": func(t *testing.T) MinuteStore { return sqliteAdapter(t) },
	} {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			sc := loadFixtures(t).Scenarios[0] // page 1484-1821, ticket 1516-2142
			store := open(t)
			set := sc.set(t)
			clk := clock.NewFake(t0)
			f := &feeder{t: t, sc: sc, set: set, store: store, clk: clk}
			ann := &announcements{}
			ctx := context.Background()
			up := func(from, to int) {
				f.to(from)
				s := NewService(set, ServiceOptions{Clock: clk, Store: store, Logger: slog.New(ann)})
				if err := s.Start(ctx); err != nil {
					t.Fatal(err)
				}
				for m := from + 1; m <= to; m++ {
					f.to(m)
					s.Tick(ctx)
				}
			}
			up(0, 1400)    // down from 1400 to 1600: both alerts start
			up(1600, 1700) // down from 1700 to 1900: the page resolves at 1821
			up(1750, 1760) // a restart with both alerts active, where nothing is to announce
			up(1900, 2200) // the ticket resolves at 2142 while up
			want := []string{"avail page firing since 1484", "avail ticket firing since 1516",
				"avail page resolved at 1821 (since 1484)", "avail ticket resolved at 2142 (since 1516)"}
			if got := ann.lines(); !reflect.DeepEqual(got, want) || !reflect.DeepEqual(got, expectedAnnouncements(sc, 2200)) {
				t.Errorf("announced:\n got %q\nwant %q", got, want)
			}
			if got := logLines(t, store.(AlertLog)); !reflect.DeepEqual(got, expectedLog(sc, 2200)) {
				t.Errorf("alert log %q, want %q", got, expectedLog(sc, 2200))
			}
		})
	}
}

// TestServiceReplicasAnnounceOnce runs two services on one store, one of
// them restarted in the middle of the burn: every alert is announced once
// across both, and recorded once.
func TestServiceReplicasAnnounceOnce(t *testing.T) {
	t.Parallel()
	for name, open := range map[string]func(*testing.T) MinuteStore{
		"memory":   func(*testing.T) MinuteStore { return NewMemoryStore() },
		"postgres": func(t *testing.T) MinuteStore { return postgresAdapter(t) },
	} {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			sc := loadFixtures(t).Scenarios[0]
			store := open(t)
			set := sc.set(t)
			clk := clock.NewFake(t0)
			f := &feeder{t: t, sc: sc, set: set, store: store, clk: clk}
			ann := &announcements{}
			ctx := context.Background()
			newService := func() *Service {
				s := NewService(set, ServiceOptions{Clock: clk, Store: store, Logger: slog.New(ann)})
				if err := s.Start(ctx); err != nil {
					t.Fatal(err)
				}
				return s
			}
			a, b := newService(), newService()
			for m := 1; m <= 2200; m++ {
				f.to(m)
				if m == 1600 || m == 2000 {
					b = newService()
				}
				a.Tick(ctx)
				b.Tick(ctx)
				if sa, sb := a.Status(), b.Status(); !reflect.DeepEqual(sa, sb) {
					t.Fatalf("minute %d: the replicas disagree:\n%+v\n%+v", m, sa, sb)
				}
			}
			got := ann.lines()
			sort.Strings(got)
			want := expectedAnnouncements(sc, 2200)
			sort.Strings(want)
			if !reflect.DeepEqual(got, want) {
				t.Errorf("announced by the two replicas:\n got %q\nwant %q", got, want)
			}
			if got := logLines(t, store.(AlertLog)); !reflect.DeepEqual(got, expectedLog(sc, 2200)) {
				t.Errorf("alert log %q, want %q", got, expectedLog(sc, 2200))
			}
		})
	}
}

// flakyLog is an alert log that fails while down is set.
type flakyLog struct {
	AlertLog
	mu   sync.Mutex
	down bool
}

func (f *flakyLog) setDown(d bool) { f.mu.Lock(); f.down = d; f.mu.Unlock() }

func (f *flakyLog) err() error {
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.down {
		return errors.New("alert log down")
	}
	return nil
}

func (f *flakyLog) OpenAlert(ctx context.Context, a Alert) (bool, error) {
	if err := f.err(); err != nil {
		return false, err
	}
	return f.AlertLog.OpenAlert(ctx, a)
}

func (f *flakyLog) ResolveAlert(ctx context.Context, slo string, sev Severity, end time.Time, rates map[string]float64) (bool, error) {
	if err := f.err(); err != nil {
		return false, err
	}
	return f.AlertLog.ResolveAlert(ctx, slo, sev, end, rates)
}

func (f *flakyLog) Alerts(ctx context.Context, q AlertQuery) ([]Alert, error) {
	if err := f.err(); err != nil {
		return nil, err
	}
	return f.AlertLog.Alerts(ctx, q)
}

// TestServiceAlertLogOutage takes the alert log down while the page
// starts, and again while it resolves (and, the second time, the log
// comes back in the minute after): each start and end is announced on
// time, once, and recorded once the log is back.
func TestServiceAlertLogOutage(t *testing.T) {
	t.Parallel()
	sc := loadFixtures(t).Scenarios[0]
	store := NewMemoryStore()
	alerts := &flakyLog{AlertLog: store}
	set := sc.set(t)
	clk := clock.NewFake(t0)
	f := &feeder{t: t, sc: sc, set: set, store: store, clk: clk}
	ann := &announcements{}
	notified := &recordingNotifier{}
	ctx := context.Background()
	s := NewService(set, ServiceOptions{Clock: clk, Store: store, Alerts: alerts, Notifier: notified, Logger: slog.New(ann)})
	if err := s.Start(ctx); err != nil {
		t.Fatal(err)
	}
	var at []string
	for m := 1; m <= 2200; m++ {
		alerts.setDown((m >= 1480 && m < 1500) || (m >= 1815 && m < 1822))
		f.to(m)
		before := len(ann.lines())
		s.Tick(ctx)
		for _, l := range ann.lines()[before:] {
			at = append(at, fmt.Sprintf("%d: %s", m, l))
		}
	}
	want := []string{"1484: avail page firing since 1484", "1516: avail ticket firing since 1516",
		"1821: avail page resolved at 1821 (since 1484)", "2142: avail ticket resolved at 2142 (since 1516)"}
	if !reflect.DeepEqual(at, want) {
		t.Errorf("announced, by minute of evaluation:\n got %q\nwant %q", at, want)
	}
	if got := logLines(t, store); !reflect.DeepEqual(got, expectedLog(sc, 2200)) {
		t.Errorf("alert log %q, want %q", got, expectedLog(sc, 2200))
	}
	if got := notified.resolved(); !reflect.DeepEqual(got, []string{"avail page 1484-1821", "avail ticket 1516-2142"}) {
		t.Errorf("resolutions notified %q", got)
	}
}

// recordingNotifier keeps what a Service hands its notifier.
type recordingNotifier struct {
	mu  sync.Mutex
	got []Alert
}

func (r *recordingNotifier) Notify(as ...Alert) {
	r.mu.Lock()
	r.got = append(r.got, as...)
	r.mu.Unlock()
}

// resolved lists the resolved alerts notified, in order.
func (r *recordingNotifier) resolved() []string {
	r.mu.Lock()
	defer r.mu.Unlock()
	var out []string
	for _, a := range r.got {
		if !a.Active() {
			out = append(out, fmt.Sprintf("%s %s %d-%d", a.SLO, a.Severity, minuteNo(a.Start), minuteNo(a.End)))
		}
	}
	return out
}

// TestServiceWebhookHangs holds every request to the webhook through the
// whole burn: the evaluations go on minute after minute (Tick would hang
// otherwise), the alerts are announced and recorded on time, and once the
// receiver answers it gets the last word on each: both resolved, with
// their start and end.
func TestServiceWebhookHangs(t *testing.T) {
	t.Parallel()
	sc := loadFixtures(t).Scenarios[0]
	r := newReceiver(t)
	r.hold = make(chan struct{})
	store := NewMemoryStore()
	set := sc.set(t)
	clk := clock.NewFake(t0)
	n := NewNotifier(set, NotifierOptions{URL: r.srv.URL, Clock: clk, Logger: discard(), Timeout: time.Hour})
	startNotifier(t, n)
	f := &feeder{t: t, sc: sc, set: set, store: store, clk: clk}
	ann := &announcements{}
	ctx := context.Background()
	s := NewService(set, ServiceOptions{Clock: clk, Store: store, Notifier: n, Logger: slog.New(ann)})
	if err := s.Start(ctx); err != nil {
		t.Fatal(err)
	}
	for m := 1; m <= 2200; m++ {
		f.to(m)
		s.Tick(ctx)
	}
	if got, want := ann.lines(), expectedAnnouncements(sc, 2200); !reflect.DeepEqual(got, want) {
		t.Errorf("announced while the webhook hangs:\n got %q\nwant %q", got, want)
	}
	if len(r.alerts()) != 0 || n.Pending() != 2 {
		t.Fatalf("received %d, pending %d while the webhook hangs; want 0 and 2 (both resolutions)", len(r.alerts()), n.Pending())
	}
	close(r.hold)
	drive(t, clk, func() bool { return n.Pending() == 0 })
	last := map[any]map[string]any{}
	for _, a := range r.alerts() {
		last[a["labels"].(map[string]any)["sloth_severity"]] = a
	}
	at := func(m int) string { return t0.Add(time.Duration(m) * time.Minute).Format(time.RFC3339) }
	for sev, span := range map[string][2]int{"page": {1484, 1821}, "ticket": {1516, 2142}} {
		if a := last[sev]; a == nil || a["startsAt"] != at(span[0]) || a["endsAt"] != at(span[1]) {
			t.Errorf("%s: last received %v, want resolved %s-%s", sev, a, at(span[0]), at(span[1]))
		}
	}
}

// TestServiceRun drives Run on the fake clock: an inference recorded
// through the Recorder is flushed to the store, evaluated, recorded in the
// alert log and sent to the webhook by the notifier Run runs; at shutdown
// the counts not yet flushed are written, and Run returns with its
// notifier stopped.
func TestServiceRun(t *testing.T) {
	t.Parallel()
	set := mustCompile(t, config.SLO{Name: "a", Kind: config.SLOAvailability, Objective: 99, MinEvents: 1})
	clk := clock.NewFake(t0.Add(30 * time.Second))
	store := NewMemoryStore()
	r := newReceiver(t)
	n := NewNotifier(set, NotifierOptions{URL: r.srv.URL, Clock: clk, Logger: discard()})
	s := NewService(set, ServiceOptions{Clock: clk, Store: store, Notifier: n, Logger: discard()})
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error)
	go func() { done <- s.Run(ctx) }()
	failed := telemetry.Event{Route: "coder", Backend: "llama", Status: telemetry.StatusBackendError, HTTPStatus: 502,
		Start: t0.Add(39 * time.Second), End: t0.Add(40 * time.Second)}
	s.Recorder().Record(&failed)
	drive(t, clk, func() bool { return len(r.alerts()) >= 2 })
	for _, a := range r.alerts() {
		if a["startsAt"] != "2026-01-01T00:01:00Z" || a["endsAt"] != nil {
			t.Errorf("received %v, want firing since 00:01", a)
		}
	}
	open, err := s.Alerts(ctx, AlertQuery{Open: true})
	if err != nil || len(open) != 2 || !open[0].Start.Equal(t0.Add(time.Minute)) {
		t.Errorf("open alerts %+v, %v; want page and ticket since 00:01", open, err)
	}
	if st := s.Status(); len(st) != 1 || st[0].Bad != 1 {
		t.Errorf("status %+v, want 1 bad event", st)
	}
	late := failed
	late.End = clk.Now()
	s.Recorder().Record(&late) // not flushed yet when Run stops
	cancel()
	if err := <-done; !errors.Is(err, context.Canceled) {
		t.Errorf("Run = %v, want context.Canceled", err)
	}
	rows, _ := store.Minutes(context.Background(), t0, clk.Now().Add(time.Hour))
	var bad uint64
	for _, row := range rows {
		bad += row.Bad
	}
	if bad != 2 {
		t.Errorf("the store holds %d bad events after shutdown, want 2: %+v", bad, rows)
	}
}

// TestServiceNilNotifier takes the nil *Notifier NotifierFromConfig gives
// without a webhook: alerts are announced and recorded, and nothing is
// sent.
func TestServiceNilNotifier(t *testing.T) {
	t.Parallel()
	set := mustCompile(t, config.SLO{Name: "a", Kind: config.SLOAvailability, Objective: 99, MinEvents: 1})
	store := NewMemoryStore()
	ctx := context.Background()
	if err := store.AddMinutes(ctx, []MinuteCount{{SLO: "a", Minute: t0, Bad: 1}}); err != nil {
		t.Fatal(err)
	}
	n, err := NotifierFromConfig(set, config.AlertWebhook{}, nil, NotifierOptions{})
	if err != nil {
		t.Fatal(err)
	}
	s := NewService(set, ServiceOptions{Clock: clock.NewFake(t0.Add(time.Minute)), Store: store, Notifier: n, Logger: discard()})
	if err := s.Start(ctx); err != nil {
		t.Fatal(err)
	}
	if open, _ := s.Alerts(ctx, AlertQuery{Open: true}); len(open) != 2 {
		t.Errorf("open alerts %+v, want page and ticket", open)
	}
}
