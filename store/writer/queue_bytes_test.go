package writer_test

import (
	"bytes"
	"testing"
	"time"

	"github.com/flywheel-stack/flywheel/clock"
	"github.com/flywheel-stack/flywheel/store/writer"
	"github.com/prometheus/client_golang/prometheus/testutil"
)

// QueueSize counts events, whatever their bodies: with captured prompts of
// 100 KB, 10,000 queued events were 1 GB. QueueBytes bounds what the
// queued events and the batch being written hold, drops beyond it as
// queue_full, and takes events again once the batch is written (issue 10,
// speed: the store's share of the gateway's memory).
func TestQueueBytesBoundsWhatEventsHold(t *testing.T) {
	const body = 10 << 10
	const bound = 10 * body // at most 10 such events held, whatever else they carry
	clk := clock.NewFake(time.Unix(1772366400, 0))
	st := newGatedStore(t)
	gate := st.close()
	w := newWriter(t, st, clk, writer.Options{QueueSize: 1000, BatchSize: 2, QueueBytes: bound, FlushInterval: time.Hour,
		Logger: discardLogger()})
	prompt := bytes.Repeat([]byte("x"), body)
	record := func() string {
		e := event(clk.Now())
		e.Request = prompt
		w.Record(e)
		return e.InferenceID
	}
	var held []string
	for testutil.ToFloat64(dropped(t, w, "queue_full")) == 0 {
		if len(held) >= bound/body {
			t.Fatalf("%d events of %d bytes held without a drop; want at most %d bytes", len(held), body, bound)
		}
		held = append(held, record())
	}
	held = held[:len(held)-1] // that one was dropped
	if len(held) < 2 {
		t.Fatalf("dropped after %d events; want the room of %d bytes used", len(held), bound)
	}
	for _, id := range held {
		if !w.Pending(id) {
			t.Errorf("Pending(%s) = false for an event held", id)
		}
	}
	if got := testutil.ToFloat64(dropped(t, w, "queue_full")); got != 1 {
		t.Errorf("dropped{queue_full} = %g, want 1", got)
	}

	// Once the held events are written, their room is free again.
	st.open(gate)
	clk.Advance(time.Hour)
	for written := 0; written < len(held); {
		written += st.nextWrite(t)
	}
	waitFor(t, func() bool { return w.Depth() == 0 && !w.Pending(held[len(held)-1]) })
	id := record()
	if got := testutil.ToFloat64(dropped(t, w, "queue_full")); got != 1 || !w.Pending(id) {
		t.Errorf("after the writes: dropped{queue_full} = %g, pending %v; want the event taken", got, w.Pending(id))
	}
}

// An event larger than QueueBytes is taken when nothing else is held: the
// bound is on what waits, not on the size of one answer.
func TestQueueBytesTakesOneLargeEvent(t *testing.T) {
	clk := clock.NewFake(time.Unix(1772366400, 0))
	st := newGatedStore(t)
	w := newWriter(t, st, clk, writer.Options{QueueSize: 10, BatchSize: 10, QueueBytes: 1 << 10, FlushInterval: time.Hour,
		Logger: discardLogger()})
	e := event(clk.Now())
	e.Request = bytes.Repeat([]byte("x"), 4<<10)
	w.Record(e)
	if w.Depth() != 1 || testutil.ToFloat64(dropped(t, w, "queue_full")) != 0 {
		t.Errorf("depth %d, dropped{queue_full} %g; want the event queued", w.Depth(), testutil.ToFloat64(dropped(t, w, "queue_full")))
	}
}
