package drift

import (
	"errors"
	"math"
)

// ChiSquareResult is a chi-square goodness-of-fit test's outcome.
type ChiSquareResult struct {
	Statistic float64
	PValue    float64
	DF        int
}

// ChiSquare is scipy.stats.chisquare(observed, expected) with expected
// given as reference counts: they are scaled to proportions of the observed
// total. A category seen now but never in the reference makes the
// statistic infinite and the p-value 0, as in scipy.
func ChiSquare(observed, reference []float64) (ChiSquareResult, error) {
	if len(observed) != len(reference) {
		return ChiSquareResult{}, errors.New("chisquare: observed and reference have different categories")
	}
	if len(observed) < 2 {
		return ChiSquareResult{}, errors.New("chisquare: needs at least two categories")
	}
	var totO, totR float64
	for i := range observed {
		totO += observed[i]
		totR += reference[i]
	}
	if totO == 0 || totR == 0 {
		return ChiSquareResult{}, errors.New("chisquare: a sample is empty")
	}
	stat := 0.0
	for i := range observed {
		e := reference[i] / totR * totO
		d := observed[i] - e
		if e == 0 {
			if d != 0 {
				stat = math.Inf(1)
			}
			continue
		}
		stat += d * d / e
	}
	df := len(observed) - 1
	return ChiSquareResult{Statistic: stat, PValue: chi2SF(stat, float64(df)), DF: df}, nil
}

// JensenShannon is scipy.spatial.distance.jensenshannon(p, q, base=2): the
// square root of the Jensen-Shannon divergence in bits, between 0 and 1.
// p and q are counts or weights over the same categories.
func JensenShannon(p, q []float64) (float64, error) {
	if len(p) != len(q) || len(p) == 0 {
		return 0, errors.New("jensenshannon: the two distributions have different categories")
	}
	var sp, sq float64
	for i := range p {
		sp += p[i]
		sq += q[i]
	}
	if sp == 0 || sq == 0 {
		return 0, errors.New("jensenshannon: a sample is empty")
	}
	var left, right float64
	for i := range p {
		a, b := p[i]/sp, q[i]/sq
		m := (a + b) / 2
		left += relEntr(a, m)
		right += relEntr(b, m)
	}
	js := (left + right) / math.Ln2
	return math.Sqrt(js / 2), nil
}

func relEntr(x, y float64) float64 {
	switch {
	case x == 0 && y >= 0:
		return 0
	case x > 0 && y > 0:
		return x * math.Log(x/y)
	}
	return math.Inf(1)
}

// chi2SF is the chi-square survival function with df degrees of freedom.
func chi2SF(x, df float64) float64 {
	if math.IsInf(x, 1) {
		return 0
	}
	if x <= 0 {
		return 1
	}
	return gammaQ(df/2, x/2)
}

// gammaQ is the regularized upper incomplete gamma function Q(a, x), by
// its series below a+1 and its continued fraction above.
func gammaQ(a, x float64) float64 {
	lg, _ := math.Lgamma(a)
	if x < a+1 {
		sum, term := 1/a, 1/a
		for n := 1; n < 10000; n++ {
			term *= x / (a + float64(n))
			sum += term
			if math.Abs(term) < math.Abs(sum)*1e-17 {
				break
			}
		}
		return 1 - sum*math.Exp(-x+a*math.Log(x)-lg)
	}
	const tiny = 1e-300
	b := x + 1 - a
	c := 1 / tiny
	d := 1 / b
	h := d
	for i := 1; i < 10000; i++ {
		an := -float64(i) * (float64(i) - a)
		b += 2
		d = an*d + b
		if math.Abs(d) < tiny {
			d = tiny
		}
		c = b + an/c
		if math.Abs(c) < tiny {
			c = tiny
		}
		d = 1 / d
		del := d * c
		h *= del
		if math.Abs(del-1) < 1e-16 {
			break
		}
	}
	return math.Exp(-x+a*math.Log(x)-lg) * h
}
