package detect

import (
	"math"
	"math/rand/v2"
	"testing"
)

// benchValues is a cycle of log-normal latencies for the benchmarks.
var benchValues = func() []float64 {
	r := rand.New(rand.NewPCG(5, 5))
	v := make([]float64, 1<<12)
	for i := range v {
		v[i] = 100 * math.Exp(0.25*r.NormFloat64())
	}
	return v
}()

func benchUpdate(b *testing.B, d Detector) {
	for i := 0; i < 10000; i++ { // a filled window, as in steady state
		d.Update(benchValues[i&(len(benchValues)-1)])
	}
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		d.Update(benchValues[i&(len(benchValues)-1)])
	}
}

// BenchmarkUpdate measures the cost of one value for each detector.
func BenchmarkUpdate(b *testing.B) {
	clock1 := DefaultADWIN()
	clock1.Clock = 1
	cases := []struct {
		name string
		new  func() Detector
	}{
		{"page_hinkley", func() Detector { return mustPH(b, DefaultPageHinkley()) }},
		{"adwin", func() Detector { return mustADWIN(b, DefaultADWIN()) }},
		{"adwin_clock1", func() Detector { return mustADWIN(b, clock1) }},
		{"scaled_page_hinkley", func() Detector { return scaledOf(b, mustPH(b, DefaultPageHinkley())) }},
		{"scaled_adwin", func() Detector { return scaledOf(b, mustADWIN(b, DefaultADWIN())) }},
	}
	for _, c := range cases {
		b.Run(c.name, func(b *testing.B) { benchUpdate(b, c.new()) })
	}
}

// BenchmarkState measures encoding and restoring a filled ADWIN.
func BenchmarkState(b *testing.B) {
	a := mustADWIN(b, DefaultADWIN())
	for i := 0; i < 10000; i++ {
		a.Update(benchValues[i&(len(benchValues)-1)])
	}
	data, _ := a.MarshalJSON()
	b.Run("adwin_marshal", func(b *testing.B) {
		b.ReportAllocs()
		b.SetBytes(int64(len(data)))
		for i := 0; i < b.N; i++ {
			if _, err := a.MarshalJSON(); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("adwin_restore", func(b *testing.B) {
		b.ReportAllocs()
		b.SetBytes(int64(len(data)))
		for i := 0; i < b.N; i++ {
			if _, err := Restore(data); err != nil {
				b.Fatal(err)
			}
		}
	})
}
