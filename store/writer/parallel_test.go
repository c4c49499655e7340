package writer_test

import (
	"context"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"github.com/flywheel-stack/flywheel/clock"
	"github.com/flywheel-stack/flywheel/store"
	"github.com/flywheel-stack/flywheel/store/sqlite"
	"github.com/flywheel-stack/flywheel/store/writer"
)

// heldStore holds each WriteInferences until release gets a token, and
// records how many were in progress at once.
type heldStore struct {
	store.Store
	entered chan []store.Inference
	release chan struct{}

	mu             sync.Mutex
	active, maxAct int
}

func newHeldStore(t *testing.T) *heldStore {
	t.Helper()
	s, err := sqlite.Open(context.Background(), filepath.Join(t.TempDir(), "f.db"), sqlite.Options{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = s.Close() })
	return &heldStore{Store: s, entered: make(chan []store.Inference, 100), release: make(chan struct{}, 100)}
}

func (h *heldStore) WriteInferences(ctx context.Context, batch []store.Inference) error {
	h.mu.Lock()
	h.active++
	h.maxAct = max(h.maxAct, h.active)
	h.mu.Unlock()
	h.entered <- batch
	<-h.release
	err := h.Store.WriteInferences(ctx, batch)
	h.mu.Lock()
	h.active--
	h.mu.Unlock()
	return err
}

func (h *heldStore) maxActive() int {
	h.mu.Lock()
	defer h.mu.Unlock()
	return h.maxAct
}

func (h *heldStore) nextEntered(t *testing.T) []store.Inference {
	t.Helper()
	select {
	case b := <-h.entered:
		return b
	case <-time.After(10 * time.Second):
		t.Fatal("no batch write started")
		return nil
	}
}

// parallelHeldStore is a heldStore that asks for two batches at once.
type parallelHeldStore struct{ *heldStore }

func (parallelHeldStore) ParallelWrites() int { return 2 }

func TestParallelWriterHasTwoBatchesInFlight(t *testing.T) {
	clk := clock.NewFake(time.Unix(1772366400, 0))
	st := parallelHeldStore{newHeldStore(t)}
	w := newWriter(t, st, clk, writer.Options{QueueSize: 100, BatchSize: 10, FlushInterval: time.Second})
	for range 30 {
		w.Record(event(clk.Now()))
	}
	first, second := st.nextEntered(t), st.nextEntered(t)
	// Both batches in flight stay Pending: feedback on them is accepted.
	for _, b := range [][]store.Inference{first, second} {
		if !w.Pending(b[0].ID) || !w.Pending(b[len(b)-1].ID) {
			t.Fatalf("an event of a batch being written is not Pending")
		}
	}
	for range 30 { // one per write: at most 30 batches of 30 events
		st.release <- struct{}{}
	}
	waitFor(t, func() bool { return st.heldStore.count(t) == 30 })
	if got := st.maxActive(); got != 2 {
		t.Errorf("at most %d batches were written at once, want 2", got)
	}
	if w.Pending(first[0].ID) || w.Pending(second[0].ID) {
		t.Error("an event is still Pending after its batch was written")
	}
}

func TestWriterWritesOneBatchAtATimeByDefault(t *testing.T) {
	clk := clock.NewFake(time.Unix(1772366400, 0))
	st := newHeldStore(t)
	w := newWriter(t, st, clk, writer.Options{QueueSize: 100, BatchSize: 10, FlushInterval: time.Second})
	for range 30 {
		w.Record(event(clk.Now()))
	}
	first := st.nextEntered(t)
	// The next batch is prepared while the first is written, but not
	// written before it is done.
	waitFor(t, func() bool { return w.Depth() < 30-len(first) })
	for range 30 { // one per write: at most 30 batches of 30 events
		st.release <- struct{}{}
	}
	waitFor(t, func() bool { return st.count(t) == 30 })
	if got := st.maxActive(); got != 1 {
		t.Errorf("%d batches were written at once, want 1", got)
	}
}

func (h *heldStore) count(t *testing.T) int64 {
	t.Helper()
	c, err := h.Counts(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	return c.Inferences
}
