package writer_test

import (
	"context"
	"errors"
	"log/slog"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/flywheel-stack/flywheel/clock"
	"github.com/flywheel-stack/flywheel/config"
	"github.com/flywheel-stack/flywheel/store"
	"github.com/flywheel-stack/flywheel/store/sqlite"
	"github.com/flywheel-stack/flywheel/store/writer"
	"github.com/flywheel-stack/flywheel/telemetry"
	"github.com/google/uuid"
	"github.com/prometheus/client_golang/prometheus/testutil"
	"go.uber.org/goleak"
)

func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }

// gatedStore wraps a real store: each WriteInferences reports its batch size
// on writes, waits for gate while it is closed, and fails while failing is
// set.
type gatedStore struct {
	store.Store
	writes chan int

	mu      sync.Mutex
	gate    chan struct{} // nil: open
	failing error
}

func newGatedStore(t *testing.T) *gatedStore {
	t.Helper()
	s, err := sqlite.Open(context.Background(), filepath.Join(t.TempDir(), "f.db"), sqlite.Options{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = s.Close() })
	return &gatedStore{Store: s, writes: make(chan int, 100)}
}

func (g *gatedStore) WriteInferences(ctx context.Context, batch []store.Inference) error {
	g.mu.Lock()
	gate, failing := g.gate, g.failing
	g.mu.Unlock()
	if gate != nil {
		<-gate
	}
	err := failing
	if err == nil {
		err = g.Store.WriteInferences(ctx, batch)
	}
	g.writes <- len(batch)
	return err
}

func (g *gatedStore) Ping(ctx context.Context) error {
	g.mu.Lock()
	failing := g.failing
	g.mu.Unlock()
	if failing != nil {
		return failing
	}
	return g.Store.Ping(ctx)
}

func (g *gatedStore) close() chan struct{} {
	g.mu.Lock()
	defer g.mu.Unlock()
	g.gate = make(chan struct{})
	return g.gate
}

func (g *gatedStore) open(gate chan struct{}) {
	g.mu.Lock()
	g.gate = nil
	g.mu.Unlock()
	close(gate)
}

func (g *gatedStore) fail(err error) {
	g.mu.Lock()
	g.failing = err
	g.mu.Unlock()
}

// nextWrite waits for the next batch write and returns its size.
func (g *gatedStore) nextWrite(t *testing.T) int {
	t.Helper()
	select {
	case n := <-g.writes:
		return n
	case <-time.After(10 * time.Second):
		t.Fatal("no batch was written")
		return 0
	}
}

func (g *gatedStore) count(t *testing.T) int64 {
	t.Helper()
	c, err := g.Counts(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	return c.Inferences
}

func event(start time.Time) *telemetry.Event {
	id := uuid.Must(uuid.NewV7()).String()
	return &telemetry.Event{InferenceID: id, EpisodeID: id, Endpoint: "chat", Route: "chat", Backend: "llama",
		Model: "m", Attempts: 1, Status: telemetry.StatusOK, HTTPStatus: 200, Start: start,
		End: start.Add(time.Second), TokensOut: 10}
}

func newWriter(t *testing.T, st store.Store, clk *clock.Fake, opts writer.Options) *writer.Writer {
	t.Helper()
	opts.Clock = clk
	if opts.Capture.SampleRate == 0 {
		opts.Capture = config.DefaultCapture()
	}
	w := writer.New(st, opts)
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		if err := w.Close(ctx); err != nil {
			t.Errorf("Close: %v", err)
		}
	})
	return w
}

// waitForLoop waits until the writer's loop is waiting on its flush timer.
func waitForLoop(t *testing.T, clk *clock.Fake) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	if err := clk.WaitForTimers(ctx, 1); err != nil {
		t.Fatal("the writer never waited on its flush timer")
	}
}

func TestBatchesBySizeThenByInterval(t *testing.T) {
	clk := clock.NewFake(time.Unix(1772366400, 0))
	st := newGatedStore(t)
	w := newWriter(t, st, clk, writer.Options{QueueSize: 100, BatchSize: 10, FlushInterval: time.Second})
	for range 25 {
		w.Record(event(clk.Now()))
	}
	// Without the clock moving, batches are written as they fill: at most
	// a part batch (under 10) is left for the interval.
	for written := 0; written < 16; {
		n := st.nextWrite(t)
		if n > 10 {
			t.Fatalf("a batch of %d, over batch_size", n)
		}
		written += n
	}
	// What is left goes at the latest one interval later.
	waitForLoop(t, clk)
	clk.Advance(time.Second)
	waitFor(t, func() bool { return st.count(t) == 25 })
	for len(st.writes) > 0 {
		<-st.writes
	}
	waitForLoop(t, clk)
	w.Record(event(clk.Now()))
	w.Record(event(clk.Now()))
	waitForLoop(t, clk)
	select {
	case n := <-st.writes:
		t.Fatalf("a batch of %d was written before the interval", n)
	default:
	}
	clk.Advance(time.Second)
	if n := st.nextWrite(t); n != 2 {
		t.Fatalf("interval batch = %d, want 2", n)
	}
	if got := st.count(t); got != 27 {
		t.Errorf("stored %d, want 27", got)
	}
	waitFor(t, func() bool { return testutil.ToFloat64(metric(t, w, "flywheel_telemetry_written_total")) == 27 })
}

func TestFullQueueDropsCountsAndLogsOnce(t *testing.T) {
	clk := clock.NewFake(time.Unix(1772366400, 0))
	st := newGatedStore(t)
	logs := &countingHandler{}
	gate := st.close()
	w := newWriter(t, st, clk, writer.Options{QueueSize: 5, BatchSize: 5, FlushInterval: time.Hour,
		DropLogInterval: time.Minute, Logger: slog.New(logs)})
	var accepted []string
	record := func() string {
		e := event(clk.Now())
		w.Record(e)
		return e.InferenceID
	}
	for range 5 {
		accepted = append(accepted, record())
	}
	waitFor(t, func() bool { return w.Depth() == 0 }) // taken as a batch, held at the gate
	// While a batch is written the next may be taken and prepared: the
	// writer holds at most that batch, a prepared one and queue_size more.
	for testutil.ToFloat64(dropped(t, w, "queue_full")) == 0 {
		if len(accepted) > 15 {
			t.Fatalf("%d events held without a drop; want at most 15", len(accepted))
		}
		accepted = append(accepted, record())
	}
	accepted = accepted[:len(accepted)-1] // that one was dropped, without blocking
	if len(accepted) < 10 {
		t.Fatalf("dropped after %d events; want the queue (5) and the batch being written (5) held", len(accepted))
	}
	record()
	record()
	if got := testutil.ToFloat64(dropped(t, w, "queue_full")); got != 3 {
		t.Errorf("dropped{queue_full} = %g, want 3", got)
	}
	if logs.count() != 1 {
		t.Errorf("%d drop logs, want 1 per interval", logs.count())
	}
	clk.Advance(time.Minute)
	record()
	if logs.count() != 2 {
		t.Errorf("%d drop logs after the interval, want 2", logs.count())
	}
	for _, id := range accepted {
		if !w.Pending(id) {
			t.Errorf("Pending(%s) = false for an event queued or being written", id)
		}
	}
	st.open(gate)
	for written := 0; written < len(accepted); {
		written += st.nextWrite(t)
	}
	for _, id := range accepted {
		if w.Pending(id) {
			t.Errorf("Pending(%s) = true after it was written", id)
		}
		if _, err := st.Inference(context.Background(), id); err != nil {
			t.Errorf("written event %s: %v", id, err)
		}
	}
}

func TestWriteFailureDropsAndRecovers(t *testing.T) {
	clk := clock.NewFake(time.Unix(1772366400, 0))
	st := newGatedStore(t)
	w := newWriter(t, st, clk, writer.Options{QueueSize: 100, BatchSize: 4, FlushInterval: time.Hour, Logger: slog.New(&countingHandler{})})
	down := errors.New("connection refused")
	st.fail(down)
	for range 4 {
		w.Record(event(clk.Now()))
	}
	st.nextWrite(t)
	waitFor(t, func() bool { return w.LastError() != nil })
	if !errors.Is(w.LastError(), down) {
		t.Errorf("LastError = %v", w.LastError())
	}
	if got := testutil.ToFloat64(dropped(t, w, "write_failed")); got != 4 {
		t.Errorf("dropped{write_failed} = %g, want 4", got)
	}
	st.fail(nil)
	waitForLoop(t, clk)
	clk.Advance(time.Hour) // no batch: the store answers a ping again
	waitFor(t, func() bool { return w.LastError() == nil })
	waitForLoop(t, clk) // idle again: the next four make one batch
	for range 4 {
		w.Record(event(clk.Now()))
	}
	st.nextWrite(t)
	if got := st.count(t); got != 4 {
		t.Errorf("stored %d after recovery, want 4", got)
	}
}

func TestCloseFlushesTheQueue(t *testing.T) {
	clk := clock.NewFake(time.Unix(1772366400, 0))
	st := newGatedStore(t)
	w := writer.New(st, writer.Options{QueueSize: 100, BatchSize: 50, FlushInterval: time.Hour, Clock: clk})
	for range 7 {
		w.Record(event(clk.Now()))
	}
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	if err := w.Close(ctx); err != nil {
		t.Fatal(err)
	}
	if got := st.count(t); got != 7 {
		t.Errorf("stored %d after Close, want 7", got)
	}
	w.Record(event(clk.Now())) // after Close: dropped, no panic
	if err := w.Close(ctx); err != nil {
		t.Errorf("second Close: %v", err)
	}
}

// An event recorded after Close (a request the shutdown grace cut) is
// counted and logged as closed, not as queue_full: the queue had room.
func TestRecordAfterCloseIsCountedAsClosed(t *testing.T) {
	clk := clock.NewFake(time.Unix(1772366400, 0))
	st := newGatedStore(t)
	var logs strings.Builder
	w := writer.New(st, writer.Options{QueueSize: 100, BatchSize: 50, FlushInterval: time.Hour, Clock: clk,
		Logger: slog.New(slog.NewTextHandler(&logs, nil))})
	w.Record(event(clk.Now()))
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	if err := w.Close(ctx); err != nil {
		t.Fatal(err)
	}
	w.Record(event(clk.Now()))
	if got := testutil.ToFloat64(dropped(t, w, "closed")); got != 1 {
		t.Errorf("dropped{closed} = %g, want 1", got)
	}
	if got := testutil.ToFloat64(dropped(t, w, "queue_full")); got != 0 {
		t.Errorf("dropped{queue_full} = %g, want 0: the queue had room", got)
	}
	if !strings.Contains(logs.String(), "reason=closed") || strings.Contains(logs.String(), "queue_full") {
		t.Errorf("log = %q, want the drop logged with reason=closed", logs.String())
	}
	if got := st.count(t); got != 1 {
		t.Errorf("stored %d, want the event recorded before Close", got)
	}
}

func TestRetentionPrunesInBatches(t *testing.T) {
	start := time.Unix(1772366400, 0)
	clk := clock.NewFake(start)
	st := newGatedStore(t)
	var old []store.Inference
	for range 5 {
		old = append(old, store.Inference{ID: uuid.Must(uuid.NewV7()).String(), EpisodeID: "e",
			Start: start.Add(-3 * time.Hour), End: start.Add(-3 * time.Hour)})
	}
	if err := st.Store.WriteInferences(context.Background(), old); err != nil {
		t.Fatal(err)
	}
	w := newWriter(t, st, clk, writer.Options{FlushInterval: time.Second, Retention: time.Hour,
		PruneInterval: time.Minute, PruneBatch: 2})
	w.Record(event(clk.Now())) // fresh: kept
	for clk.Now().Before(start.Add(2 * time.Minute)) {
		waitForLoop(t, clk)
		clk.Advance(time.Second)
	}
	waitFor(t, func() bool { return testutil.ToFloat64(metric(t, w, "flywheel_telemetry_pruned_total")) == 5 })
	if got := st.count(t); got != 1 {
		t.Errorf("%d inferences left, want the fresh one", got)
	}
}

func TestCaptureRules(t *testing.T) {
	chat := `{"id":"x","choices":[{"index":0,"message":{"role":"assistant","content":"my key is sk-abcdefghijklmnopqrstuvwx"}}]}`
	stream := "data: {\"choices\":[{\"index\":0,\"delta\":{\"role\":\"assistant\"}}]}\n\n" +
		"data: {\"choices\":[{\"index\":0,\"delta\":{\"content\":\"Hel\"}}]}\n\n" +
		": keep-alive\n\n" +
		"data: {\"choices\":[{\"index\":0,\"delta\":{\"content\":\"lo\"}}]}\n\n" +
		"data: {\"choices\":[],\"usage\":{\"completion_tokens\":2}}\n\ndata: [DONE]\n\n"
	redact := []config.Regexp{config.MustRegexp(`sk-[A-Za-z0-9]{20,}`)}
	cases := []struct {
		name                     string
		capture                  config.Capture
		user, body               string
		stream                   bool
		wantUser, wantReq, wantR string
	}{
		{"all, redacted", config.Capture{Prompts: true, Responses: true, SampleRate: 1, User: config.UserPlain, Redact: redact},
			"alice", chat, false, "alice", `{"messages":[{"content":"use [REDACTED]"}]}`, "my key is [REDACTED]"},
		{"stream text", config.Capture{Prompts: true, Responses: true, SampleRate: 1, User: config.UserHashed},
			"alice", stream, true, config.HashUser("alice"), `{"messages":[{"content":"use sk-abcdefghijklmnopqrstuvwx"}]}`, "Hello"},
		{"nothing", config.Capture{SampleRate: 1, User: config.UserNone}, "alice", chat, false, "", "", ""},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			clk := clock.NewFake(time.Unix(1772366400, 0))
			st := newGatedStore(t)
			w := writer.New(st, writer.Options{BatchSize: 1, Capture: tc.capture, Clock: clk})
			e := event(clk.Now())
			e.User, e.Stream = tc.user, tc.stream
			e.Request = []byte(`{"messages":[{"content":"use sk-abcdefghijklmnopqrstuvwx"}]}`)
			e.ResponseBody = []byte(tc.body)
			w.Record(e)
			e.Request[0] = 'X' // the gateway may reuse its buffer after Record
			st.nextWrite(t)
			if err := w.Close(context.Background()); err != nil {
				t.Fatal(err)
			}
			got, err := st.Inference(context.Background(), e.InferenceID)
			if err != nil {
				t.Fatal(err)
			}
			if got.User != tc.wantUser || got.Request != tc.wantReq || got.Response != tc.wantR {
				t.Errorf("stored user %q request %q response %q\nwant user %q request %q response %q",
					got.User, got.Request, got.Response, tc.wantUser, tc.wantReq, tc.wantR)
			}
		})
	}
	if h := config.HashUser("alice"); !strings.HasPrefix(h, "sha256:") || len(h) != 39 || h == config.HashUser("bob") {
		t.Errorf("HashUser = %q", h)
	}
}

func TestResponseText(t *testing.T) {
	cases := []struct {
		name, raw string
		stream    bool
		want      string
	}{
		{"completion", `{"choices":[{"index":0,"text":"done."}]}`, false, "done."},
		{"error body", `{"error":{"message":"bad"}}`, false, `{"error":{"message":"bad"}}`},
		{"embeddings", `{"data":[{"embedding":[0.1]}]}`, false, ""},
		{"not json", `oops`, false, "oops"},
		{"stream of two choices", "data: {\"choices\":[{\"index\":1,\"delta\":{\"content\":\"B\"}},{\"index\":0,\"delta\":{\"content\":\"A\"}}]}\n\n", true, "A"},
	}
	for _, tc := range cases {
		if got := writer.ResponseText([]byte(tc.raw), tc.stream); got != tc.want {
			t.Errorf("%s: ResponseText = %q, want %q", tc.name, got, tc.want)
		}
	}
}
