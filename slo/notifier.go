package slo

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"sort"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/flywheel-stack/flywheel/clock"
	"github.com/flywheel-stack/flywheel/config"
	"github.com/flywheel-stack/flywheel/resilience"
)

// AlertmanagerPath is where a Notifier POSTs, under its base URL.
const AlertmanagerPath = "/api/v2/alerts"

// NotifierOptions configures a Notifier.
type NotifierOptions struct {
	// URL is the receiver's base URL (http://alertmanager:9093); alerts
	// go to URL + AlertmanagerPath. Credentials in it are sent as basic
	// auth. Required.
	URL string
	// Client sends the requests; nil means a client of its own.
	Client *http.Client
	// Timeout bounds each attempt. Default 10s.
	Timeout time.Duration
	// QueueSize bounds the alerts waiting to be sent; beyond it the oldest
	// is dropped. Default 1000.
	QueueSize int
	// Retry retries a failed POST. Default resilience.ExternalAPI() on
	// Clock.
	Retry *resilience.RetryConfig
	// Breaker guards the receiver. Default: open after 5 failures in a
	// row, for 30s, on Clock.
	Breaker *resilience.BreakerConfig
	// Pause is how long the sending loop waits after a round that failed
	// (retries included) before it tries again. Default 10s.
	Pause time.Duration
	// Clock tells the time; nil means the real clock.
	Clock clock.Clock
	// Logger receives delivery trouble; nil means slog.Default().
	Logger *slog.Logger
	// Service is the sloth_service label, and AlertPrefix starts each
	// alertname, as in `flywheel slo rules` (defaults flywheel and
	// FlywheelSLO), so that routes written for the Prometheus rules match.
	Service, AlertPrefix string
	// GeneratorURL, when set, is each alert's generatorURL (a link to
	// the SLO's dashboard, or to /admin/v1/slos).
	GeneratorURL string
}

// Notifier sends alerts to Alertmanager's API v2 (POST /api/v2/alerts, a
// JSON array of alerts with labels, annotations, startsAt and, once
// resolved, endsAt), through a resilience pipeline (retry around a
// circuit breaker). Notify never blocks: alerts wait in a bounded queue
// that Run drains. An alert is one entry per SLO, severity and start, so
// that a resend replaces an alert not yet delivered, and its resolution
// replaces both; while the receiver is down the queue keeps them, and Run
// delivers them when it is back.
type Notifier struct {
	opts     NotifierOptions
	clk      clock.Clock
	log      *slog.Logger
	endpoint string
	names    map[string]string // SLO name to alertname
	set      *Set
	pipeline *resilience.Pipeline[struct{}]

	mu      sync.Mutex
	pending map[notifyKey]queued
	seq     uint64
	wake    chan struct{}
	failing bool

	sent, dropped atomic.Uint64
}

type notifyKey struct {
	slo   string
	sev   Severity
	start int64
}

type queued struct {
	alert Alert
	seq   uint64
}

// NewNotifier returns a notifier for the alerts of set.
func NewNotifier(set *Set, opts NotifierOptions) *Notifier {
	if opts.Client == nil {
		opts.Client = &http.Client{}
	}
	if opts.Timeout <= 0 {
		opts.Timeout = 10 * time.Second
	}
	if opts.QueueSize <= 0 {
		opts.QueueSize = 1000
	}
	if opts.Pause <= 0 {
		opts.Pause = 10 * time.Second
	}
	if opts.Logger == nil {
		opts.Logger = slog.Default()
	}
	if opts.Service == "" {
		opts.Service = "flywheel"
	}
	if opts.AlertPrefix == "" {
		opts.AlertPrefix = "FlywheelSLO"
	}
	retry := resilience.ExternalAPI()
	if opts.Retry != nil {
		retry = *opts.Retry
	}
	if retry.Clock == nil {
		retry.Clock = opts.Clock
	}
	breaker := resilience.BreakerConfig{Name: "alertmanager", ConsecutiveFailures: 5, OpenFor: 30 * time.Second}
	if opts.Breaker != nil {
		breaker = *opts.Breaker
	}
	if breaker.Clock == nil {
		breaker.Clock = opts.Clock
	}
	n := &Notifier{opts: opts, clk: clock.OrReal(opts.Clock), log: opts.Logger, set: set,
		endpoint: strings.TrimRight(opts.URL, "/") + AlertmanagerPath, names: alertNames(set, opts.AlertPrefix),
		pending: map[notifyKey]queued{}, wake: make(chan struct{}, 1)}
	n.pipeline = resilience.NewPipeline(resilience.PipelineConfig[struct{}]{
		Breaker: resilience.NewBreaker(breaker), Retry: resilience.NewRetrier(retry), AttemptTimeout: opts.Timeout})
	return n
}

// NotifierFromConfig returns the notifier of the alerts section, or nil
// when it sets no webhook. getenv (nil: os.Getenv) reads url_env. opts
// supplies what the file does not set (clock, logger, labels).
func NotifierFromConfig(set *Set, w config.AlertWebhook, getenv func(string) string, opts NotifierOptions) (*Notifier, error) {
	if !w.Enabled() {
		return nil, nil
	}
	opts.URL, opts.Timeout, opts.QueueSize = w.URL, w.Timeout, w.QueueSize
	if w.URLEnv != "" {
		if getenv == nil {
			getenv = osGetenv
		}
		if opts.URL = getenv(w.URLEnv); opts.URL == "" {
			return nil, fmt.Errorf("alerts: the environment variable %s (alerts.webhook.url_env) is not set", w.URLEnv)
		}
	}
	return NewNotifier(set, opts), nil
}

// Notify queues alerts for sending; it never blocks. A queued alert of
// the same SLO, severity and start is replaced, except that a resolution
// is not replaced by a firing.
func (n *Notifier) Notify(alerts ...Alert) {
	n.mu.Lock()
	for _, a := range alerts {
		k := notifyKey{a.SLO, a.Severity, a.Start.UnixNano()}
		if old, ok := n.pending[k]; ok && !old.alert.Active() && a.Active() {
			continue
		}
		n.seq++
		n.pending[k] = queued{alert: a, seq: n.seq}
	}
	dropped := 0
	for len(n.pending) > n.opts.QueueSize {
		var oldest notifyKey
		first := true
		for k, q := range n.pending {
			if first || q.seq < n.pending[oldest].seq {
				oldest, first = k, false
			}
		}
		delete(n.pending, oldest)
		dropped++
	}
	n.mu.Unlock()
	if dropped > 0 {
		n.dropped.Add(uint64(dropped))
		n.log.Warn("slo: the alert queue is full; dropped the oldest alerts", "dropped", dropped, "queue_size", n.opts.QueueSize)
	}
	select {
	case n.wake <- struct{}{}:
	default:
	}
}

// Pending returns how many alerts wait to be sent.
func (n *Notifier) Pending() int {
	n.mu.Lock()
	defer n.mu.Unlock()
	return len(n.pending)
}

// Sent and Dropped count the alerts delivered and those the full queue
// dropped.
func (n *Notifier) Sent() uint64 { return n.sent.Load() }

// Dropped counts the alerts dropped because the queue was full.
func (n *Notifier) Dropped() uint64 { return n.dropped.Load() }

// Run sends the queued alerts, all of them in one request, whenever there
// are some, until ctx is done. After a round that failed (its retries
// included) it waits Pause before the next.
func (n *Notifier) Run(ctx context.Context) error {
	for {
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-n.wake:
		}
		for {
			batch := n.batch()
			if len(batch) == 0 {
				break
			}
			err := n.send(ctx, batch)
			if ctx.Err() != nil {
				return ctx.Err()
			}
			if err == nil || resilience.IsPermanent(err) {
				n.done(batch, err)
				continue
			}
			n.setFailing(err)
			t := n.clk.NewTimer(n.opts.Pause)
			select {
			case <-ctx.Done():
				t.Stop()
				return ctx.Err()
			case <-t.C():
			}
		}
	}
}

// batch returns the queued alerts, oldest first.
func (n *Notifier) batch() []queued {
	n.mu.Lock()
	defer n.mu.Unlock()
	out := make([]queued, 0, len(n.pending))
	for _, q := range n.pending {
		out = append(out, q)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].seq < out[j].seq })
	return out
}

// done forgets the alerts of a delivered (or refused) batch, except those
// replaced meanwhile.
func (n *Notifier) done(batch []queued, err error) {
	n.mu.Lock()
	for _, q := range batch {
		k := notifyKey{q.alert.SLO, q.alert.Severity, q.alert.Start.UnixNano()}
		if cur, ok := n.pending[k]; ok && cur.seq == q.seq {
			delete(n.pending, k)
		}
	}
	wasFailing := n.failing
	n.failing = false
	n.mu.Unlock()
	if err != nil {
		n.log.Error("slo: the alert receiver refused alerts; dropping them", "url", n.redacted(), "alerts", len(batch), "err", err)
		return
	}
	n.sent.Add(uint64(len(batch)))
	if wasFailing {
		n.log.Info("slo: the alert receiver is back", "url", n.redacted(), "delivered", len(batch))
	}
}

func (n *Notifier) setFailing(err error) {
	n.mu.Lock()
	was := n.failing
	n.failing = true
	pending := len(n.pending)
	n.mu.Unlock()
	if !was {
		n.log.Warn("slo: cannot deliver alerts; keeping them until the receiver is back", "url", n.redacted(),
			"pending", pending, "err", err)
	}
}

// redacted is the endpoint without credentials.
func (n *Notifier) redacted() string {
	if i := strings.Index(n.endpoint, "@"); i >= 0 {
		if j := strings.Index(n.endpoint, "://"); j >= 0 && j < i {
			return n.endpoint[:j+3] + "xxxxx" + n.endpoint[i:]
		}
	}
	return n.endpoint
}

// send POSTs the batch through the pipeline.
func (n *Notifier) send(ctx context.Context, batch []queued) error {
	body, err := json.Marshal(n.payload(batch))
	if err != nil {
		return resilience.Permanent(err)
	}
	_, err = n.pipeline.Do(ctx, func(ctx context.Context) (struct{}, error) {
		req, err := http.NewRequestWithContext(ctx, http.MethodPost, n.endpoint, bytes.NewReader(body))
		if err != nil {
			return struct{}{}, resilience.Permanent(err)
		}
		req.Header.Set("Content-Type", "application/json")
		resp, err := n.opts.Client.Do(req)
		if err != nil {
			var ue interface{ Unwrap() error }
			if errors.As(err, &ue) && ue.Unwrap() != nil {
				err = ue.Unwrap() // *url.Error repeats the URL, credentials included
			}
			return struct{}{}, err
		}
		_, _ = io.Copy(io.Discard, io.LimitReader(resp.Body, 64<<10))
		_ = resp.Body.Close()
		if resp.StatusCode/100 == 2 {
			return struct{}{}, nil
		}
		se := &resilience.StatusError{Code: resp.StatusCode, Status: resp.Status}
		if until, ok := resilience.ParseRetryAfter(resp.Header, n.clk.Now()); ok {
			se.Until = until
		}
		if resp.StatusCode/100 == 4 && resp.StatusCode != http.StatusTooManyRequests && resp.StatusCode != http.StatusRequestTimeout {
			return struct{}{}, resilience.Permanent(se) // the payload is refused: sending it again will not help
		}
		return struct{}{}, se
	})
	return err
}
