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
	// A first batch is held in the store while two more queue up behind
	// it; once it is written, the next two go out together.
	for range 10 {
		w.Record(event(clk.Now()))
	}
	st.nextEntered(t)
	for range 20 {
		w.Record(event(clk.Now()))
	}
	st.release <- struct{}{}
	first, second := st.nextEntered(t), st.nextEntered(t)
	// Both batches in flight stay Pending: feedback on them is accepted.
	for _, b := range [][]store.Inference{first, second} {
		if !w.Pending(b[0].ID) || !w.Pending(b[len(b)-1].ID) {
			t.Fatalf("an event of a batch being written is not Pending")
		}
	}
	st.release <- struct{}{}
	st.release <- struct{}{}
	waitFor(t, func() bool { return st.heldStore.count(t) == 30 })
	if got := st.maxActive(); got != 2 {
		t.Errorf("at most %d batches were written at once, want 2", got)
	}
	// The writer forgets a batch just after the store returns from it.
	waitFor(t, func() bool { return !w.Pending(first[0].ID) && !w.Pending(second[0].ID) })
}

func TestWriterWritesOneBatchAtATimeByDefault(t *testing.T) {
	clk := clock.NewFake(time.Unix(1772366400, 0))
	st := newHeldStore(t)
	w := newWriter(t, st, clk, writer.Options{QueueSize: 100, BatchSize: 10, FlushInterval: time.Second})
	// The tenth event wakes the writer; its batch is held in the store.
	for range 10 {
		w.Record(event(clk.Now()))
	}
	if first := st.nextEntered(t); len(first) != 10 {
		t.Fatalf("first batch has %d events, want 10", len(first))
	}
	// Two more batches queue up behind it; once the first is written the
	// writer starts the second and prepares the third while the second is
	// held, but does not write it before the second is done.
	for range 20 {
		w.Record(event(clk.Now()))
	}
	st.release <- struct{}{}
	if second := st.nextEntered(t); len(second) != 10 {
		t.Fatalf("second batch has %d events, want 10", len(second))
	}
	waitFor(t, func() bool { return w.Depth() == 0 })
	if got := st.maxActive(); got != 1 {
		t.Fatalf("%d batches were written at once, want 1", got)
	}
	st.release <- struct{}{}
	st.release <- struct{}{}
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
