package loadgen

import (
	"math"
	"slices"
	"time"
)

// Percentiles summarises a set of durations exactly: every sample is kept
// and sorted, so p99 of 100,000 requests is the 99,000th fastest, not an
// estimate from buckets.
type Percentiles struct {
	// Count is the number of samples.
	Count int `json:"count"`
	// P50, P90, P99, P999 and Max are nearest-rank percentiles.
	P50  time.Duration `json:"p50_ns"`
	P90  time.Duration `json:"p90_ns"`
	P99  time.Duration `json:"p99_ns"`
	P999 time.Duration `json:"p999_ns"`
	Max  time.Duration `json:"max_ns"`
	// Mean is the arithmetic mean.
	Mean time.Duration `json:"mean_ns"`
}

// summarize sorts samples in place and returns their percentiles.
func summarize(samples []time.Duration) Percentiles {
	p := Percentiles{Count: len(samples)}
	if len(samples) == 0 {
		return p
	}
	slices.Sort(samples)
	var sum float64
	for _, d := range samples {
		sum += float64(d)
	}
	p.P50 = rank(samples, 0.50)
	p.P90 = rank(samples, 0.90)
	p.P99 = rank(samples, 0.99)
	p.P999 = rank(samples, 0.999)
	p.Max = samples[len(samples)-1]
	p.Mean = time.Duration(sum / float64(len(samples)))
	return p
}

// rank is the nearest-rank percentile q (0 < q ≤ 1) of sorted samples: the
// smallest sample with at least q of all samples at or below it.
func rank(sorted []time.Duration, q float64) time.Duration {
	i := int(math.Ceil(q*float64(len(sorted)))) - 1
	return sorted[min(max(i, 0), len(sorted)-1)]
}
