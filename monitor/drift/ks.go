package drift

import (
	"errors"
	"math"
	"sort"
)

// maxExactN is scipy's MAX_AUTO_N: ks_2samp's default method computes the
// exact p-value when both samples have at most this many values.
const maxExactN = 10000

// KSResult is a two-sample Kolmogorov-Smirnov test's outcome.
type KSResult struct {
	Statistic float64 // the largest distance between the two ECDFs
	PValue    float64 // two-sided
	Exact     bool    // the p-value comes from the exact distribution
}

// KS2Samp is scipy.stats.ks_2samp(a, b) with its defaults (two-sided,
// method 'auto'): the exact p-value when both samples have at most 10,000
// values and the exact computation succeeds, else the asymptotic one
// (scipy's kstwo.sf(d, round(m·n/(m+n)))). a and b are sorted in place.
func KS2Samp(a, b []float64) (KSResult, error) {
	n1, n2 := len(a), len(b)
	if n1 == 0 || n2 == 0 {
		return KSResult{}, errors.New("ks: a sample is empty")
	}
	sort.Float64s(a)
	sort.Float64s(b)
	d := ksStatistic(a, b)
	g := gcd(n1, n2)
	if max(n1, n2) <= maxExactN {
		if dd, p, ok := exactKS(n1, n2, g, d); ok {
			return KSResult{Statistic: dd, PValue: clip01(p), Exact: true}, nil
		}
	}
	m, n := float64(max(n1, n2)), float64(min(n1, n2))
	en := math.RoundToEven(m * n / (m + n))
	return KSResult{Statistic: d, PValue: clip01(kolmogornSF(int(en), d))}, nil
}

// ksStatistic is the largest absolute difference of the ECDFs of two sorted
// samples, computed at every value with ties counted as scipy does.
func ksStatistic(a, b []float64) float64 {
	n1, n2 := float64(len(a)), float64(len(b))
	i, j := 0, 0
	maxS, minS := math.Inf(-1), math.Inf(-1)
	for i < len(a) || j < len(b) {
		var v float64
		switch {
		case j >= len(b) || (i < len(a) && a[i] <= b[j]):
			v = a[i]
		default:
			v = b[j]
		}
		for i < len(a) && a[i] <= v {
			i++
		}
		for j < len(b) && b[j] <= v {
			j++
		}
		diff := float64(i)/n1 - float64(j)/n2
		maxS = max(maxS, diff)
		minS = max(minS, -diff)
	}
	minS = min(max(minS, 0), 1)
	if minS > maxS {
		return minS
	}
	return maxS
}

// exactKS is scipy's _attempt_exact_2kssamp for the two-sided test: the
// statistic rounded to a multiple of 1/lcm(n1, n2) and its exact p-value.
func exactKS(n1, n2, g int, d float64) (float64, float64, bool) {
	lcm := (n1 / g) * n2
	h := int(math.RoundToEven(d * float64(lcm)))
	d = float64(h) / float64(lcm)
	if h == 0 {
		return d, 1, true
	}
	var p float64
	if n1 == n2 {
		p = probOutsideSquare(n1, h)
	} else {
		p = outerProbInside(n1, n2, g, h)
	}
	if math.IsNaN(p) || math.IsInf(p, 0) || p < 0 || p > 1 {
		return d, p, false
	}
	return d, p, true
}

// probOutsideSquare is the share of lattice paths from (0,0) to (n,n) that
// leave the band |x-y| < h (Hodges), evaluated Horner-like as scipy does.
func probOutsideSquare(n, h int) float64 {
	p := 0.0
	for k := n / h; k >= 0; k-- {
		p1 := 1.0
		for j := 0; j < h; j++ {
			p1 = float64(n-k*h-j) * p1 / float64(n+k*h+j+1)
		}
		p = p1 * (1 - p)
	}
	return 2 * p
}

// outerProbInside is the share of lattice paths from (0,0) to (m,n) that
// leave the band |x/m - y/n| < h/lcm, by the inside method with the
// recursion for 1-p of Viehmann (2021), as scipy computes it.
func outerProbInside(m, n, g, h int) float64 {
	if m < n {
		m, n = n, m
	}
	mg, ng := m/g, n/g
	minj, maxj := 0, min(int(math.Ceil(float64(h)/float64(mg))), n+1)
	curlen := maxj - minj
	lenA := min(2*maxj+2, n+1)
	a := make([]float64, lenA)
	for i := range a {
		a[i] = 1
	}
	for i := minj; i < maxj; i++ {
		a[i] = 0
	}
	for i := 1; i <= m; i++ {
		lastminj, lastlen := minj, curlen
		minj = max(int(math.Floor(float64(ng*i-h)/float64(mg)))+1, 0)
		minj = min(minj, n)
		maxj = min(int(math.Ceil(float64(ng*i+h)/float64(mg))), n+1)
		if maxj <= minj {
			return 1
		}
		val := 1.0
		if minj == 0 {
			val = 0
		}
		for jj := 0; jj < maxj-minj; jj++ {
			j := jj + minj
			val = (a[jj+minj-lastminj]*float64(i) + val*float64(j)) / float64(i+j)
			a[jj] = val
		}
		curlen = maxj - minj
		for k := curlen; k < curlen+(lastlen-curlen) && k < len(a); k++ {
			a[k] = 1
		}
	}
	return a[maxj-minj-1]
}

func gcd(a, b int) int {
	for b != 0 {
		a, b = b, a%b
	}
	return a
}

func clip01(p float64) float64 { return min(max(p, 0), 1) }
