package telemetry

import (
	"fmt"
	"testing"
)

func TestSampled(t *testing.T) {
	t.Parallel()
	const n = 20000
	for _, rate := range []float64{0, 0.1, 0.5, 1} {
		hits := 0
		for i := range n {
			id := fmt.Sprintf("0190a1b2-%04x-7000-8000-%012x", i%65536, i)
			if Sampled(id, rate) {
				hits++
			}
			if Sampled(id, rate) != Sampled(id, rate) {
				t.Fatalf("Sampled(%s, %g) is not stable", id, rate)
			}
		}
		got := float64(hits) / n
		if got < rate-0.02 || got > rate+0.02 {
			t.Errorf("Sampled at rate %g kept %.3f of ids", rate, got)
		}
	}
}
