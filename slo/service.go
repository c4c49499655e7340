package slo

import (
	"context"
	"log/slog"
	"sync"
	"time"

	"github.com/flywheel-stack/flywheel/clock"
	"github.com/prometheus/client_golang/prometheus"
)

// DefaultDelay is how long after the start of each minute a Service
// evaluates (it flushes its counts at half of it).
const DefaultDelay = 10 * time.Second

// DefaultMinuteRetention is how long a Service keeps minutes in its store:
// the longest period, 30 days, and a few more for reports.
const DefaultMinuteRetention = 35 * 24 * time.Hour

// pruneEvery is how often a Service deletes minutes past retention.
const pruneEvery = time.Hour

// AlertNotifier receives the alerts a Service announces (firing, or
// resolved with End set) and, at each evaluation, every open alert again:
// a receiver such as Alertmanager resolves an alert that is not re-sent.
// Notify must not block. Notifier is one.
type AlertNotifier interface {
	Notify(alerts ...Alert)
}

// MinutePruner is a MinuteStore that deletes old minutes.
type MinutePruner interface {
	// Prune deletes the minutes before before.
	Prune(ctx context.Context, before time.Time) (int, error)
}

// ServiceOptions configures a Service.
type ServiceOptions struct {
	// Clock tells the time; nil means the real clock.
	Clock clock.Clock
	// Store keeps the minutes; nil means a MemoryStore. AdaptStore makes
	// one of the configured SQLite or PostgreSQL store.
	Store MinuteStore
	// Alerts keeps the alert history; nil means Store when it is an
	// AlertLog (AdaptStore's and MemoryStore are), else a MemoryStore.
	Alerts AlertLog
	// Notifier, when set, receives the alerts (see AlertNotifier); a
	// Notifier's sending loop runs inside Run.
	Notifier AlertNotifier
	// Logger receives transitions and store trouble; nil means
	// slog.Default().
	Logger *slog.Logger
	// Delay is how long after each minute Run evaluates. Default
	// DefaultDelay.
	Delay time.Duration
	// Retention is how long minutes are kept, when Store is a
	// MinutePruner. Default DefaultMinuteRetention; at least the longest
	// period.
	Retention time.Duration
	// OnTransition, when set, is called for each alert that starts or
	// stops firing in this process's evaluation (every replica sees them:
	// this is where actions such as on_page: demote hook in).
	OnTransition func(Transition)
}

// Service is the SLO part of a gateway in one value: the Recorder that
// judges each inference (a telemetry sink), the Evaluator, the minute
// store, the alert log and the notifier, driven by Run on the injected
// clock. At each evaluation it records in the alert log the alerts that
// started and stopped, announces those this process recorded (logged and
// handed to the notifier), and re-sends the open ones to the notifier.
type Service struct {
	set      *Set
	opts     ServiceOptions
	clk      clock.Clock
	log      *slog.Logger
	recorder *Recorder
	eval     *Evaluator
	alerts   AlertLog

	mu        sync.Mutex // one evaluation at a time
	ann       *announcer
	lastPrune time.Time
}

// NewService returns a service for set; Run drives it.
func NewService(set *Set, opts ServiceOptions) *Service {
	if opts.Store == nil {
		opts.Store = NewMemoryStore()
	}
	if n, ok := opts.Notifier.(*Notifier); ok && n == nil {
		opts.Notifier = nil // NotifierFromConfig without a webhook
	}
	if opts.Alerts == nil {
		if l, ok := opts.Store.(AlertLog); ok {
			opts.Alerts = l
		} else {
			opts.Alerts = NewMemoryStore()
		}
	}
	if opts.Logger == nil {
		opts.Logger = slog.Default()
	}
	if opts.Delay <= 0 {
		opts.Delay = DefaultDelay
	}
	longest := time.Duration(0)
	for i := range set.Len() {
		longest = max(longest, set.At(i).Period)
	}
	if opts.Retention <= 0 {
		opts.Retention = DefaultMinuteRetention
	}
	opts.Retention = max(opts.Retention, longest)
	s := &Service{set: set, opts: opts, clk: clock.OrReal(opts.Clock), log: opts.Logger, alerts: opts.Alerts}
	s.recorder = NewRecorder(set)
	s.eval = NewEvaluator(set, EvaluatorOptions{Clock: opts.Clock, Store: opts.Store, Minutes: s.recorder.Minutes(),
		Logger: opts.Logger, OnTransition: opts.OnTransition})
	var notify func(Alert)
	if opts.Notifier != nil {
		notify = func(a Alert) { opts.Notifier.Notify(a) }
	}
	s.ann = newAnnouncer(opts.Alerts, notify, opts.Logger)
	return s
}

// Recorder returns the telemetry sink that judges each inference; add it
// to the gateway's sinks.
func (s *Service) Recorder() *Recorder { return s.recorder }

// Evaluator returns the evaluator.
func (s *Service) Evaluator() *Evaluator { return s.eval }

// Collectors returns what to register with Prometheus:
// flywheel_slo_events_total (the recorder) and the alert, budget and burn
// rate gauges (the evaluator).
func (s *Service) Collectors() []prometheus.Collector {
	return []prometheus.Collector{s.recorder, s.eval}
}

// Status returns every SLO's numbers at the last evaluation, in file
// order; nil before Start.
func (s *Service) Status() []Status { return s.eval.Status() }

// Alerts lists the alert history.
func (s *Service) Alerts(ctx context.Context, q AlertQuery) ([]Alert, error) {
	return s.alerts.Alerts(ctx, q)
}

// Start loads the minutes, rebuilds the alerts' state, and brings the
// alert log in step: an alert that started while no process evaluated is
// recorded and announced now, one that resolved meanwhile is closed at the
// minute it stopped and its end announced. Run calls it; call it yourself
// only to drive the service with Tick. A store that cannot be read is
// logged and returned; the service starts empty and catches up once the
// store is back.
func (s *Service) Start(ctx context.Context) error {
	err := s.eval.Start(ctx)
	if err != nil {
		s.log.Warn("slo: cannot load minutes; starting empty", "err", err)
	}
	s.after(ctx, nil)
	return err
}

// Tick flushes, evaluates and reconciles the alert log at the clock's
// current minute, and returns this evaluation's transitions. Run calls it
// every minute; tests call it on a fake clock.
func (s *Service) Tick(ctx context.Context) []Transition {
	trs := s.eval.Tick(ctx)
	s.after(ctx, trs)
	return trs
}

// after runs after each evaluation: the alert log, the notifier, pruning.
func (s *Service) after(ctx context.Context, _ []Transition) {
	s.mu.Lock()
	defer s.mu.Unlock()
	open := s.ann.reconcile(ctx, s.eval.Status(), s.eval.resolvedAt)
	if s.opts.Notifier != nil && len(open) > 0 {
		s.opts.Notifier.Notify(open...)
	}
	now := s.clk.Now()
	if p, ok := s.opts.Store.(MinutePruner); ok && now.Sub(s.lastPrune) >= pruneEvery {
		s.lastPrune = now
		if n, err := p.Prune(ctx, now.Add(-s.opts.Retention)); err != nil {
			s.log.Warn("slo: cannot prune old minutes", "err", err)
		} else if n > 0 {
			s.log.Debug("slo: pruned old minutes", "rows", n)
		}
	}
}

// runner is a notifier with a loop of its own (Notifier).
type runner interface {
	Run(ctx context.Context) error
}

// Run starts the service and evaluates every minute (flushing the
// recorder's counts first) until ctx is done; then it writes the counts
// not yet flushed, stops the notifier's loop and returns ctx's error.
func (s *Service) Run(ctx context.Context) error {
	var wg sync.WaitGroup
	nctx, stop := context.WithCancel(ctx)
	defer func() { stop(); wg.Wait() }()
	if r, ok := s.opts.Notifier.(runner); ok {
		wg.Go(func() { _ = r.Run(nctx) })
	}
	_ = s.Start(ctx)
	err := s.eval.loop(ctx, s.opts.Delay, s.after)
	fctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 5*time.Second)
	defer cancel()
	if ferr := s.eval.Flush(fctx); ferr != nil {
		s.log.Warn("slo: counts not written at shutdown", "err", ferr)
	}
	return err
}
