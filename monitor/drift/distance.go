package drift

import (
	"errors"
	"math"
	"sort"
)

// PSIBins is the number of bins PSI uses: the reference's deciles.
const PSIBins = 10

// PSIEpsilon replaces the share of a bin that holds no value on one side,
// so that PSI stays finite (Evidently's choice).
const PSIEpsilon = 1e-4

// Wasserstein is scipy.stats.wasserstein_distance(u, v): the area between
// the two ECDFs. u and v are sorted in place.
func Wasserstein(u, v []float64) (float64, error) {
	if len(u) == 0 || len(v) == 0 {
		return 0, errors.New("wasserstein: a sample is empty")
	}
	sort.Float64s(u)
	sort.Float64s(v)
	nu, nv := float64(len(u)), float64(len(v))
	i, j := 0, 0
	sum := 0.0
	prev := math.Min(u[0], v[0])
	for i < len(u) || j < len(v) {
		var x float64
		if j >= len(v) || (i < len(u) && u[i] <= v[j]) {
			x = u[i]
		} else {
			x = v[j]
		}
		// The ECDFs are constant on [prev, x): their values count what is
		// strictly below x.
		sum += math.Abs(float64(i)/nu-float64(j)/nv) * (x - prev)
		prev = x
		for i < len(u) && u[i] <= x {
			i++
		}
		for j < len(v) && v[j] <= x {
			j++
		}
	}
	return sum, nil
}

// StdDev is the population standard deviation (ddof 0, numpy's np.std).
func StdDev(x []float64) float64 {
	if len(x) == 0 {
		return math.NaN()
	}
	mean := 0.0
	for _, v := range x {
		mean += v
	}
	mean /= float64(len(x))
	ss := 0.0
	for _, v := range x {
		ss += (v - mean) * (v - mean)
	}
	return math.Sqrt(ss / float64(len(x)))
}

// NormedWasserstein is Wasserstein(ref, cur) divided by the reference's
// population standard deviation (ddof 0), as Evidently norms it. It fails
// when the reference is constant.
func NormedWasserstein(ref, cur []float64) (float64, error) {
	sd := StdDev(ref)
	if !(sd > 0) {
		return 0, errors.New("wasserstein: the reference is constant, so the distance cannot be normed by its standard deviation")
	}
	w, err := Wasserstein(ref, cur)
	if err != nil {
		return 0, err
	}
	return w / sd, nil
}

// Quantile is numpy's default (linear) quantile of a sorted sample.
func Quantile(sorted []float64, q float64) float64 {
	n := len(sorted)
	pos := q * float64(n-1)
	lo := int(math.Floor(pos))
	if lo >= n-1 {
		return sorted[n-1]
	}
	frac := pos - float64(lo)
	return sorted[lo] + (sorted[lo+1]-sorted[lo])*frac
}

// PSI is the population stability index of cur against ref over PSIBins
// bins whose inner edges are the reference's deciles (numpy's linear
// quantiles); a value equal to an edge falls in the bin above it, the first
// and last bins are open. A bin empty on one side counts PSIEpsilon as its
// share. ref is sorted in place.
func PSI(ref, cur []float64) (float64, error) {
	if len(ref) == 0 || len(cur) == 0 {
		return 0, errors.New("psi: a sample is empty")
	}
	sort.Float64s(ref)
	edges := make([]float64, PSIBins-1)
	for i := range edges {
		edges[i] = Quantile(ref, float64(i+1)/PSIBins)
	}
	rc := binCounts(ref, edges)
	cc := binCounts(cur, edges)
	psi := 0.0
	for i := range rc {
		r := share(rc[i], len(ref))
		c := share(cc[i], len(cur))
		psi += (c - r) * math.Log(c/r)
	}
	return psi, nil
}

func share(count, total int) float64 {
	if count == 0 {
		return PSIEpsilon
	}
	return float64(count) / float64(total)
}

// binCounts counts x per bin: bin i holds edges[i-1] <= v < edges[i].
func binCounts(x, edges []float64) []int {
	counts := make([]int, len(edges)+1)
	for _, v := range x {
		counts[sort.Search(len(edges), func(i int) bool { return edges[i] > v })]++
	}
	return counts
}
