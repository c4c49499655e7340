package loadgen

import (
	"math/rand/v2"
	"testing"
	"time"
)

func TestSummarizeNearestRank(t *testing.T) {
	t.Parallel()
	// 1..1000 ms, shuffled: nearest rank p50 is the 500th, p99 the 990th,
	// p99.9 the 999th.
	samples := make([]time.Duration, 1000)
	for i := range samples {
		samples[i] = time.Duration(i+1) * time.Millisecond
	}
	rand.New(rand.NewPCG(1, 2)).Shuffle(len(samples), func(i, j int) { samples[i], samples[j] = samples[j], samples[i] })
	p := summarize(samples)
	want := Percentiles{Count: 1000, P50: 500 * time.Millisecond, P90: 900 * time.Millisecond, P99: 990 * time.Millisecond,
		P999: 999 * time.Millisecond, Max: 1000 * time.Millisecond, Mean: 500500 * time.Microsecond}
	if p != want {
		t.Errorf("summarize = %+v\nwant        %+v", p, want)
	}
}

func TestSummarizeSmallSets(t *testing.T) {
	t.Parallel()
	if p := summarize(nil); p != (Percentiles{}) {
		t.Errorf("summarize(nil) = %+v, want zero", p)
	}
	one := summarize([]time.Duration{7})
	if one.P50 != 7 || one.P99 != 7 || one.Max != 7 || one.Count != 1 {
		t.Errorf("one sample: %+v", one)
	}
	// Two samples: p50 is the first (ceil(0.5·2) = 1st), p99 the second.
	two := summarize([]time.Duration{20, 10})
	if two.P50 != 10 || two.P99 != 20 {
		t.Errorf("two samples: p50 %v p99 %v, want 10 and 20", two.P50, two.P99)
	}
	// A slow outlier among 100: p99 is the 99th sample, not the outlier.
	hundred := make([]time.Duration, 100)
	for i := range hundred {
		hundred[i] = time.Millisecond
	}
	hundred[42] = time.Second
	if p := summarize(hundred); p.P99 != time.Millisecond || p.Max != time.Second {
		t.Errorf("one outlier in 100: p99 %v max %v, want 1ms and 1s", p.P99, p.Max)
	}
}
