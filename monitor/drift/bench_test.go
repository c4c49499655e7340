package drift

import (
	"bufio"
	"fmt"
	"math"
	"math/rand/v2"
	"os"
	"path/filepath"
	"testing"
)

// writeBenchFile writes rows × 5 columns: three numeric (normal,
// log-normal latency, integer tokens), a categorical finish_reason and a
// 0/1 thumbs column.
func writeBenchFile(b *testing.B, path string, rows int, shift float64, seed uint64) {
	b.Helper()
	f, err := os.Create(path)
	if err != nil {
		b.Fatal(err)
	}
	w := bufio.NewWriterSize(f, 1<<20)
	rng := rand.New(rand.NewPCG(seed, 7))
	reasons := []string{"stop", "length", "tool_calls", "content_filter"}
	fmt.Fprintln(w, "score,latency_ms,tokens,finish_reason,thumbs_up")
	for i := 0; i < rows; i++ {
		fmt.Fprintf(w, "%.4f,%.2f,%d,%s,%d\n", rng.NormFloat64()+shift, 100*math.Exp(rng.NormFloat64()+shift),
			rng.IntN(500), reasons[rng.IntN(len(reasons))], rng.IntN(2))
	}
	if err := w.Flush(); err != nil {
		b.Fatal(err)
	}
	if err := f.Close(); err != nil {
		b.Fatal(err)
	}
}

// BenchmarkDriftFiles1Mx5 reads two CSV files of 1M rows × 5 columns and
// runs every test on them: what `flywheel monitor drift` does.
func BenchmarkDriftFiles1Mx5(b *testing.B) {
	dir := b.TempDir()
	ref, cur := filepath.Join(dir, "ref.csv"), filepath.Join(dir, "cur.csv")
	writeBenchFile(b, ref, 1_000_000, 0, 1)
	writeBenchFile(b, cur, 1_000_000, 0.05, 2)
	b.ReportAllocs()
	b.ResetTimer()
	for b.Loop() {
		rt, err := ReadFile(ref)
		if err != nil {
			b.Fatal(err)
		}
		ct, err := ReadFile(cur)
		if err != nil {
			b.Fatal(err)
		}
		if _, err := Compare(rt, ct, Options{Thresholds: DefaultThresholds()}); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkCompareNumeric1M runs the large-sample numeric tests on 1M
// values a side, already in memory.
func BenchmarkCompareNumeric1M(b *testing.B) {
	rng := rand.New(rand.NewPCG(3, 4))
	ref, cur := make([]float64, 1_000_000), make([]float64, 1_000_000)
	for i := range ref {
		ref[i], cur[i] = rng.NormFloat64(), rng.NormFloat64()+0.05
	}
	r2, c2 := make([]float64, len(ref)), make([]float64, len(cur))
	b.ReportAllocs()
	b.ResetTimer()
	for b.Loop() {
		copy(r2, ref)
		copy(c2, cur)
		if _, err := CompareNumeric(r2, c2, DefaultThresholds()); err != nil {
			b.Fatal(err)
		}
	}
}
