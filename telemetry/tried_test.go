package telemetry

import (
	"fmt"
	"testing"
)

// TestAddTried checks the order of the targets, and that beyond MaxTried
// the last target is kept and the ones dropped before it are counted.
func TestAddTried(t *testing.T) {
	t.Parallel()
	for n := 0; n <= MaxTried+3; n++ {
		var e Event
		for i := range n {
			e.AddTried(fmt.Sprint("b", i), "m", Outcome(i%4)+OutcomeAnswered)
		}
		got := e.Targets()
		if len(got) != min(n, MaxTried) || e.TriedDropped != max(n-MaxTried, 0) {
			t.Fatalf("%d targets: kept %d, dropped %d", n, len(got), e.TriedDropped)
		}
		for i, tr := range got {
			want := i // the first MaxTried-1 in order, then the last one
			if i == MaxTried-1 {
				want = n - 1
			}
			if tr.Backend != fmt.Sprint("b", want) || tr.Outcome != Outcome(want%4)+OutcomeAnswered {
				t.Errorf("%d targets: entry %d is %+v, want target %d", n, i, tr, want)
			}
		}
	}
}
