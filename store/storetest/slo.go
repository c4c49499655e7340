package storetest

import (
	"context"
	"reflect"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/flywheel-stack/flywheel/store"
)

// RunSLO runs the conformance tests of store.SLOStore against stores made
// by open, which must implement it.
func RunSLO(t *testing.T, open Opener) {
	tests := []struct {
		name string
		fn   func(t *testing.T, s store.SLOStore)
	}{
		{"MinutesAddUp", testSLOMinutesAddUp},
		{"MinutesConcurrentReplicas", testSLOMinutesConcurrent},
		{"MinutesPrune", testSLOMinutesPrune},
		{"AlertLifecycle", testSLOAlertLifecycle},
		{"AlertOpenedOnceByReplicas", testSLOAlertOpenedOnce},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			s := openClosed(t, open)
			ss, ok := s.(store.SLOStore)
			if !ok {
				t.Fatalf("%T does not implement store.SLOStore", s)
			}
			tc.fn(t, ss)
		})
	}
}

func minute(m int) time.Time { return SampleTime().Add(time.Duration(m) * time.Minute) }

func addMinutes(t *testing.T, s store.SLOStore, counts ...store.SLOMinute) {
	t.Helper()
	if err := s.AddSLOMinutes(context.Background(), counts); err != nil {
		t.Fatalf("AddSLOMinutes: %v", err)
	}
}

func sloMinutes(t *testing.T, s store.SLOStore, from, to time.Time) []store.SLOMinute {
	t.Helper()
	got, err := s.SLOMinutes(context.Background(), from, to)
	if err != nil {
		t.Fatalf("SLOMinutes: %v", err)
	}
	return got
}

func testSLOMinutesAddUp(t *testing.T, s store.SLOStore) {
	addMinutes(t, s,
		store.SLOMinute{SLO: "b", Minute: minute(1), Good: 5, Bad: 1},
		store.SLOMinute{SLO: "a", Minute: minute(1), Good: 2},
		store.SLOMinute{SLO: "a", Minute: minute(0), Bad: 3},
		store.SLOMinute{SLO: "a", Minute: minute(1), Good: 1, Bad: 1}, // same row twice in one batch
	)
	addMinutes(t, s, // a second replica, or a later flush
		store.SLOMinute{SLO: "a", Minute: minute(1), Good: 10},
		store.SLOMinute{SLO: "a", Minute: minute(2), Good: 7, Bad: 2},
		store.SLOMinute{SLO: "a", Minute: minute(3), Good: 1 << 40},
	)
	addMinutes(t, s) // nothing to add
	want := []store.SLOMinute{
		{SLO: "a", Minute: minute(0), Bad: 3},
		{SLO: "a", Minute: minute(1), Good: 13, Bad: 1},
		{SLO: "b", Minute: minute(1), Good: 5, Bad: 1},
		{SLO: "a", Minute: minute(2), Good: 7, Bad: 2},
		{SLO: "a", Minute: minute(3), Good: 1 << 40},
	}
	if got := sloMinutes(t, s, minute(0), minute(4)); !reflect.DeepEqual(got, want) {
		t.Errorf("SLOMinutes [0,4):\n got %+v\nwant %+v", got, want)
	}
	// [from, to): the minute at to is left out, the one at from is in.
	if got := sloMinutes(t, s, minute(1), minute(3)); !reflect.DeepEqual(got, want[1:4]) {
		t.Errorf("SLOMinutes [1,3):\n got %+v\nwant %+v", got, want[1:4])
	}
	if got := sloMinutes(t, s, minute(4), minute(10)); len(got) != 0 {
		t.Errorf("SLOMinutes after the last minute = %+v, want none", got)
	}
	if got := sloMinutes(t, s, minute(-10), minute(1).Add(-time.Second)); !reflect.DeepEqual(got, want[:1]) {
		t.Errorf("SLOMinutes up to 59s into minute 1 = %+v, want %+v", got, want[:1])
	}
}

func testSLOMinutesConcurrent(t *testing.T, s store.SLOStore) {
	const replicas, flushes = 4, 25
	var wg sync.WaitGroup
	errs := make(chan error, replicas*flushes)
	for r := range replicas {
		wg.Go(func() {
			for f := range flushes {
				// Each replica writes the same minutes, in a different
				// order: the store must neither lose an add nor deadlock.
				batch := []store.SLOMinute{
					{SLO: "x", Minute: minute((f + r) % 3), Good: 1},
					{SLO: "x", Minute: minute((f + r + 1) % 3), Bad: 1},
					{SLO: "y", Minute: minute((f + r + 2) % 3), Good: 2},
				}
				if r%2 == 1 {
					batch[0], batch[2] = batch[2], batch[0]
				}
				if err := s.AddSLOMinutes(context.Background(), batch); err != nil {
					errs <- err
				}
			}
		})
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Fatalf("AddSLOMinutes from concurrent replicas: %v", err)
	}
	var good, bad, goodY uint64
	for _, m := range sloMinutes(t, s, minute(0), minute(3)) {
		if m.SLO == "x" {
			good += m.Good
			bad += m.Bad
		} else {
			goodY += m.Good
		}
	}
	if n := uint64(replicas * flushes); good != n || bad != n || goodY != 2*n {
		t.Errorf("after %d adds of 1 good, 1 bad and 2 good: x %d good %d bad, y %d good", n, good, bad, goodY)
	}
}

func testSLOMinutesPrune(t *testing.T, s store.SLOStore) {
	for m := range 5 {
		addMinutes(t, s, store.SLOMinute{SLO: "a", Minute: minute(m), Good: 1})
	}
	n, err := s.PruneSLOMinutes(context.Background(), minute(3))
	if err != nil || n != 3 {
		t.Fatalf("PruneSLOMinutes(before minute 3) = %d, %v; want 3", n, err)
	}
	got := sloMinutes(t, s, minute(0), minute(5))
	if len(got) != 2 || !got[0].Minute.Equal(minute(3)) {
		t.Errorf("after the prune: %+v, want minutes 3 and 4", got)
	}
}

func alerts(t *testing.T, s store.SLOStore, q store.SLOAlertQuery) []store.SLOAlert {
	t.Helper()
	got, err := s.SLOAlerts(context.Background(), q)
	if err != nil {
		t.Fatalf("SLOAlerts(%+v): %v", q, err)
	}
	return got
}

func testSLOAlertLifecycle(t *testing.T, s store.SLOStore) {
	ctx := context.Background()
	rates := map[string]float64{"5m": 20.5, "1h": 15, "6h": 0.25}
	open := func(slo, sev string, start time.Time, want bool) {
		t.Helper()
		got, err := s.OpenSLOAlert(ctx, store.SLOAlert{SLO: slo, Severity: sev, Start: start, BurnRates: rates})
		if err != nil || got != want {
			t.Fatalf("OpenSLOAlert(%s %s at %v) = %v, %v; want %v", slo, sev, start, got, err, want)
		}
	}
	resolve := func(slo, sev string, end time.Time, want bool) {
		t.Helper()
		got, err := s.ResolveSLOAlert(ctx, slo, sev, end, map[string]float64{"5m": 0})
		if err != nil || got != want {
			t.Fatalf("ResolveSLOAlert(%s %s at %v) = %v, %v; want %v", slo, sev, end, got, err, want)
		}
	}
	open("a", "page", minute(10), true)
	open("a", "page", minute(11), false) // already open: not again
	open("a", "ticket", minute(12), true)
	open("b", "page", minute(5), true)
	resolve("a", "page", minute(20), true)
	resolve("a", "page", minute(21), false) // nothing open
	open("a", "page", minute(30), true)     // a new firing after the resolution
	resolve("b", "page", minute(1), true)   // an end before the start is the start

	all := alerts(t, s, store.SLOAlertQuery{})
	want := []store.SLOAlert{
		{SLO: "b", Severity: "page", Start: minute(5), End: minute(5), BurnRates: rates, EndBurnRates: map[string]float64{"5m": 0}},
		{SLO: "a", Severity: "page", Start: minute(10), End: minute(20), BurnRates: rates, EndBurnRates: map[string]float64{"5m": 0}},
		{SLO: "a", Severity: "ticket", Start: minute(12), BurnRates: rates},
		{SLO: "a", Severity: "page", Start: minute(30), BurnRates: rates},
	}
	if !reflect.DeepEqual(all, want) {
		t.Errorf("SLOAlerts:\n got %+v\nwant %+v", all, want)
	}
	if got := alerts(t, s, store.SLOAlertQuery{Open: true}); !reflect.DeepEqual(got, want[2:]) {
		t.Errorf("open SLOAlerts:\n got %+v\nwant %+v", got, want[2:])
	}
	// Since: the alerts that fired at or after it.
	if got := alerts(t, s, store.SLOAlertQuery{Since: minute(20)}); !reflect.DeepEqual(got, want[1:]) {
		t.Errorf("SLOAlerts since minute 20:\n got %+v\nwant %+v", got, want[1:])
	}
	if got := alerts(t, s, store.SLOAlertQuery{Since: minute(20).Add(time.Second)}); !reflect.DeepEqual(got, want[2:]) {
		t.Errorf("SLOAlerts since minute 20 and 1s:\n got %+v\nwant %+v", got, want[2:])
	}
	if !want[2].Active() || want[1].Active() {
		t.Error("Active: want true for an open alert only")
	}
}

func testSLOAlertOpenedOnce(t *testing.T, s store.SLOStore) {
	const replicas = 6
	var opened atomic.Int32
	var wg sync.WaitGroup
	errs := make(chan error, replicas)
	for r := range replicas {
		wg.Go(func() {
			ok, err := s.OpenSLOAlert(context.Background(), store.SLOAlert{SLO: "a", Severity: "page", Start: minute(r)})
			if err != nil {
				errs <- err
			}
			if ok {
				opened.Add(1)
			}
		})
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Fatalf("OpenSLOAlert: %v", err)
	}
	if n := opened.Load(); n != 1 {
		t.Errorf("%d replicas opened the same alert, want exactly 1", n)
	}
	if got := alerts(t, s, store.SLOAlertQuery{Open: true}); len(got) != 1 || got[0].BurnRates == nil {
		t.Errorf("open alerts %+v, want one, with empty (not nil) burn rates", got)
	}
}
