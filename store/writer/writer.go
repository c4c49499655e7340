// Package writer is the telemetry sink that records every inference in a
// store.Store without slowing a request down. Record copies the event into a
// bounded queue and returns; a background goroutine writes the queue in
// batches (when BatchSize events are waiting or FlushInterval has passed,
// whichever comes first), each batch in one transaction. When the queue is
// full, or a batch cannot be written, the events are dropped and counted in
// flywheel_telemetry_dropped_total, with at most one log line per
// DropLogInterval. Close flushes what is queued.
package writer

import (
	"context"
	"errors"
	"log/slog"
	"net/http"
	"sync"
	"time"
	"unsafe"

	"github.com/flywheel-stack/flywheel/clock"
	"github.com/flywheel-stack/flywheel/config"
	"github.com/flywheel-stack/flywheel/store"
	"github.com/flywheel-stack/flywheel/telemetry"
)

// Options configure a Writer. Zero fields take the defaults.
type Options struct {
	// QueueSize bounds the events waiting to be written. Default 10000.
	QueueSize int
	// QueueBytes bounds the memory the events waiting and being written
	// hold: their captured request and response bodies and strings, and a
	// fixed cost per event (see footprint). Beyond it events are dropped
	// as queue_full, as beyond QueueSize; an event alone is never refused
	// for its size. Default 16 MiB: 10,000 short chat events take about
	// 12 MiB, and prompts of 100 KB would take 1 GB within QueueSize alone.
	QueueBytes int64
	// BatchSize is the most events written in one transaction, and the
	// queue length that triggers a write before FlushInterval. Default 1000.
	BatchSize int
	// FlushInterval is the longest an event waits in the queue. Default
	// 200 ms.
	FlushInterval time.Duration
	// Capture decides what of the prompts, answers and users is kept.
	// Sampling is decided by the gateway (telemetry.Sampled); the writer
	// redacts, extracts answer text and hashes users.
	Capture config.Capture
	// Retention, when > 0, prunes inferences older than this in the
	// background, PruneBatch rows at a time every PruneInterval.
	Retention time.Duration
	// WriteTimeout bounds one batch write, so that a store that hangs
	// (a network partition) makes the queue drop rather than stall the
	// writer forever. Default 10 s.
	WriteTimeout time.Duration
	// PruneInterval is how often the writer prunes. Default 1 minute.
	PruneInterval time.Duration
	// PruneBatch is how many rows one prune deletes. Default 1000.
	PruneBatch int
	// DropLogInterval is the least time between two logs about dropped
	// events. Default 10 s.
	DropLogInterval time.Duration
	// Logger receives the writer's logs. nil: slog.Default().
	Logger *slog.Logger
	// Clock is the time source. nil: the real clock.
	Clock clock.Clock
}

func (o *Options) defaults() {
	if o.QueueSize <= 0 {
		o.QueueSize = 10000
	}
	if o.BatchSize <= 0 {
		o.BatchSize = 1000
	}
	o.BatchSize = min(o.BatchSize, o.QueueSize)
	if o.QueueBytes <= 0 {
		o.QueueBytes = 16 << 20
	}
	if o.FlushInterval <= 0 {
		o.FlushInterval = 200 * time.Millisecond
	}
	if o.WriteTimeout <= 0 {
		o.WriteTimeout = 10 * time.Second
	}
	if o.PruneInterval <= 0 {
		o.PruneInterval = time.Minute
	}
	if o.PruneBatch <= 0 {
		o.PruneBatch = 1000
	}
	if o.DropLogInterval <= 0 {
		o.DropLogInterval = 10 * time.Second
	}
	if o.Logger == nil {
		o.Logger = slog.Default()
	}
	o.Clock = clock.OrReal(o.Clock)
}

// Writer is a telemetry.Sink that writes inference events to a store.
type Writer struct {
	st       store.Store
	opts     Options
	capture  capturer
	metrics  *metrics
	parallel int // batches written at once

	mu      sync.Mutex
	queue   []queued     // waiting, oldest first
	pending pendingIndex // the queue and the batches being written
	held    int64        // footprint of the queue and the batches being written
	closed  bool
	lastErr error     // the last write's error; nil after a success
	lastLog time.Time // of the last drop log
	dropped int64     // since the last drop log

	wake chan struct{} // a batch is ready, or Close was called
	done chan struct{} // the loop has exited
}

// queued is an event as Record copied it, before capture processing.
type queued struct {
	inf         store.Inference
	rawResponse []byte
	stream      bool
	size        int64 // footprint, counted in held until written
}

// footprint is what q holds in memory: the strings and bodies copied for
// it (the route, backend and model names are the configuration's own),
// and its place in the queue and in a batch's rows.
func (q *queued) footprint() int64 {
	return int64(unsafe.Sizeof(*q)+unsafe.Sizeof(q.inf)) + int64(len(q.inf.ID)+len(q.inf.EpisodeID)+len(q.inf.User)+
		len(q.inf.ErrorClass)+len(q.inf.Request)+len(q.inf.Response)+len(q.rawResponse))
}

var _ telemetry.Sink = (*Writer)(nil)

// New starts a writer for st. Call Close to flush and stop it.
func New(st store.Store, opts Options) *Writer {
	opts.defaults()
	w := &Writer{st: st, opts: opts, capture: newCapturer(opts.Capture),
		queue: make([]queued, 0, opts.BatchSize), pending: newPendingIndex(opts.BatchSize), wake: make(chan struct{}, 1), done: make(chan struct{})}
	w.parallel = 1
	if p, ok := st.(store.ParallelWriter); ok {
		w.parallel = max(p.ParallelWrites(), 1)
	}
	w.metrics = newMetrics(w)
	go w.loop()
	return w
}

// Record queues a copy of e. It never blocks on the store: when the queue
// is full the event is dropped and counted.
func (w *Writer) Record(e *telemetry.Event) {
	if e.InferenceID == "" {
		return
	}
	q := queued{inf: fromEvent(e), stream: e.Stream}
	if e.HTTPStatus == http.StatusUnauthorized {
		// Anyone can send a request without a key: its row keeps no
		// string the client chose, so it stays small.
		q.inf.EpisodeID, q.inf.User, q.inf.Response = q.inf.ID, "", ""
	} else {
		if w.capture.cfg.Prompts {
			q.inf.Request = string(e.Request) // the gateway may reuse its buffer
		}
		if e.ResponseBody != nil && w.capture.cfg.Responses {
			q.rawResponse = append([]byte(nil), e.ResponseBody...)
		}
	}
	q.size = q.footprint()
	w.mu.Lock()
	switch {
	case w.closed:
		w.dropLocked(1, reasonClosed, nil)
		w.mu.Unlock()
		return
	case len(w.queue) >= w.opts.QueueSize, w.held > 0 && w.held+q.size > w.opts.QueueBytes:
		w.dropLocked(1, reasonQueueFull, nil)
		w.mu.Unlock()
		return
	}
	w.held += q.size
	w.queue = append(w.queue, q)
	w.pending.add(&w.queue[len(w.queue)-1])
	if len(w.queue) == w.opts.BatchSize {
		select { // under mu: Close closes wake under mu too
		case w.wake <- struct{}{}:
		default:
		}
	}
	w.mu.Unlock()
}

// fromEvent copies what the store keeps of e, but for the request body:
// Record copies that only when capture keeps prompts.
func fromEvent(e *telemetry.Event) store.Inference {
	return store.Inference{
		ID: e.InferenceID, EpisodeID: e.EpisodeID, User: e.User, Endpoint: e.Endpoint, Route: e.Route,
		Backend: e.Backend, Model: e.Model, Attempts: e.Attempts, FallbackDepth: e.FallbackDepth, Stream: e.Stream,
		Degraded: e.Status == telemetry.StatusDegraded, Status: string(e.Status), HTTPStatus: e.HTTPStatus,
		ErrorClass: e.ErrorClass, Start: e.Start.Truncate(time.Microsecond), End: e.End.Truncate(time.Microsecond),
		Latency: e.Latency(), TimeToFirstToken: e.TimeToFirstToken, TokensIn: e.TokensIn, TokensOut: e.TokensOut,
		TokensPerSecond: e.TokensPerSecond(), Response: e.Response,
	}
}

// Depth returns the number of queued events.
func (w *Writer) Depth() int {
	w.mu.Lock()
	defer w.mu.Unlock()
	return len(w.queue)
}

// LastError returns the error of the last write, or nil when it succeeded
// (or none was made yet).
func (w *Writer) LastError() error {
	w.mu.Lock()
	defer w.mu.Unlock()
	return w.lastErr
}

// Close stops taking events, writes what is queued (until ctx ends) and
// stops the writer. It does not close the store.
func (w *Writer) Close(ctx context.Context) error {
	w.mu.Lock()
	if !w.closed {
		w.closed = true
		close(w.wake)
	}
	w.mu.Unlock()
	select {
	case <-w.done:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}

// loop writes batches until Close.
func (w *Writer) loop() {
	defer close(w.done)
	clk := w.opts.Clock
	nextPrune := clk.Now().Add(w.opts.PruneInterval)
	for {
		timer := clk.NewTimer(w.opts.FlushInterval)
		stopping := false
		select {
		case _, ok := <-w.wake:
			stopping = !ok
		case <-timer.C():
		}
		timer.Stop()
		w.flushAll(context.Background())
		if stopping || w.drainWake() {
			w.flushAll(context.Background())
			return
		}
		w.recheck(context.Background())
		if w.opts.Retention > 0 && !clk.Now().Before(nextPrune) {
			nextPrune = clk.Now().Add(w.opts.PruneInterval)
			if w.prune(context.Background()) == w.opts.PruneBatch {
				nextPrune = clk.Now() // more to delete: another batch after the next flush
			}
		}
	}
}

// flushAll writes the queue in batches of up to BatchSize until less than
// a full batch is left, then writes that too, and returns when all are
// written. The next batch is prepared (capture rules: redaction, answer
// text, user hashing) on this goroutine while the store writes the current
// one, or, for a store.ParallelWriter, up to ParallelWrites of them.
func (w *Writer) flushAll(ctx context.Context) {
	slots := make(chan struct{}, w.parallel)
	var writing sync.WaitGroup
	inFlight := false
	for {
		// While a batch is being written only a whole one is prepared
		// ahead; a partial rest waits for the writes, so that it takes
		// what arrived in the meantime.
		b := w.take(inFlight)
		if b == nil && inFlight {
			writing.Wait()
			b = w.take(false)
		}
		if b == nil {
			break
		}
		slots <- struct{}{}
		inFlight = true
		writing.Go(func() {
			defer func() { <-slots }()
			w.write(ctx, b)
		})
		if len(b.queued) < w.opts.BatchSize {
			break
		}
	}
	writing.Wait()
}

// batch is up to BatchSize events taken from the queue: still Pending
// until written.
type batch struct {
	queued []queued
	rows   []store.Inference
}

// take moves up to BatchSize events from the queue into a batch, and
// applies the capture rules to them. With onlyWhole it takes nothing
// unless a whole batch is queued.
func (w *Writer) take(onlyWhole bool) *batch {
	w.mu.Lock()
	n := min(len(w.queue), w.opts.BatchSize)
	if n == 0 || onlyWhole && n < w.opts.BatchSize {
		w.mu.Unlock()
		return nil
	}
	b := &batch{queued: w.queue[:n:n]}
	w.queue = w.queue[n:]
	w.mu.Unlock()
	b.rows = make([]store.Inference, n)
	for i := range b.queued {
		b.rows[i] = w.capture.apply(&b.queued[i])
	}
	return b
}

// write writes one batch in one transaction and counts it as written or
// dropped. When the store rejects a row (store.ErrRejected) the batch is
// split and each half written on its own, down to the rejected rows, which
// are dropped alone: one bad row cannot cost the others their record.
func (w *Writer) write(ctx context.Context, b *batch) {
	start := w.opts.Clock.Now()
	var res writeResult
	w.writeRows(ctx, b.rows, &res)
	w.metrics.latency.Observe(w.opts.Clock.Since(start).Seconds())

	w.mu.Lock()
	for i := range b.queued {
		w.pending.remove(&b.queued[i])
		w.held -= b.queued[i].size
	}
	w.lastErr = res.failed
	if res.failed != nil {
		w.dropLocked(res.failedRows, reasonWriteFailed, res.failed)
	}
	if res.rejected > 0 {
		w.dropLocked(res.rejected, reasonRejected, res.rejectedErr)
	}
	if res.written > 0 {
		w.metrics.written.Add(float64(res.written))
		w.metrics.batches.Add(float64(res.transactions))
	}
	w.mu.Unlock()
	clear(b.queued)
}

// writeResult adds up the transactions of one batch.
type writeResult struct {
	written, transactions int
	rejected              int
	rejectedErr           error // the last rejection, for the log
	failedRows            int
	failed                error // the last failure that was not a rejection
}

// writeRows writes rows in one transaction, or, when the store rejects a
// row, each half on its own.
func (w *Writer) writeRows(ctx context.Context, rows []store.Inference, res *writeResult) {
	wctx, cancel := context.WithTimeout(ctx, w.opts.WriteTimeout)
	err := w.st.WriteInferences(wctx, rows)
	cancel()
	switch {
	case err == nil:
		res.written += len(rows)
		res.transactions++
	case !errors.Is(err, store.ErrRejected):
		res.failedRows += len(rows)
		res.failed = err
	case len(rows) == 1:
		res.rejected++
		res.rejectedErr = err
	default:
		half := len(rows) / 2
		w.writeRows(ctx, rows[:half], res)
		w.writeRows(ctx, rows[half:], res)
	}
}

// drainWake consumes a size signal sent while the last flush ran (its
// batch is written already), so that it does not trigger an early write of
// the next few events. It reports whether Close was called.
func (w *Writer) drainWake() (closed bool) {
	w.mu.Lock()
	defer w.mu.Unlock()
	if len(w.queue) >= w.opts.BatchSize {
		return false // a real batch is waiting: keep its signal
	}
	select {
	case _, ok := <-w.wake:
		return !ok
	default:
		return false
	}
}

// recheck clears the last write's error once the store answers again,
// when no batch came to prove it: readiness recovers without traffic.
func (w *Writer) recheck(ctx context.Context) {
	w.mu.Lock()
	failed := w.lastErr != nil && len(w.queue) == 0
	w.mu.Unlock()
	if !failed {
		return
	}
	pctx, cancel := context.WithTimeout(ctx, w.opts.WriteTimeout)
	defer cancel()
	if w.st.Ping(pctx) == nil {
		w.mu.Lock()
		if len(w.queue) == 0 {
			w.lastErr = nil
		}
		w.mu.Unlock()
	}
}

// dropLocked counts dropped events and logs at most once per
// DropLogInterval.
func (w *Writer) dropLocked(n int, reason string, err error) {
	w.metrics.dropped.WithLabelValues(reason).Add(float64(n))
	w.dropped += int64(n)
	now := w.opts.Clock.Now()
	if !w.lastLog.IsZero() && now.Sub(w.lastLog) < w.opts.DropLogInterval {
		return
	}
	attrs := []any{"dropped", w.dropped, "reason", reason, "queue_size", w.opts.QueueSize, "store", w.st.Location()}
	if err != nil {
		attrs = append(attrs, "error", err.Error())
	}
	if w.lastLog.IsZero() {
		w.opts.Logger.Warn("telemetry events dropped", attrs...)
	} else {
		w.opts.Logger.Warn("telemetry events dropped", append(attrs, "since", now.Sub(w.lastLog).Round(time.Second).String())...)
	}
	w.lastLog, w.dropped = now, 0
}

// prune deletes one batch of inferences older than the retention and
// returns how many it deleted.
func (w *Writer) prune(ctx context.Context) int {
	before := w.opts.Clock.Now().Add(-w.opts.Retention)
	pctx, cancel := context.WithTimeout(ctx, w.opts.WriteTimeout)
	defer cancel()
	n, err := w.st.Prune(pctx, before, w.opts.PruneBatch)
	if err != nil {
		w.opts.Logger.Warn("pruning old inferences failed", "store", w.st.Location(), "error", err.Error())
		return 0
	}
	w.metrics.pruned.Add(float64(n))
	if n > 0 {
		w.opts.Logger.Debug("pruned old inferences", "deleted", n, "before", before)
	}
	return n
}
