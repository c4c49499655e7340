package drift

import (
	"errors"
	"math"
)

// ZTestResult is a two-proportion z-test's outcome.
type ZTestResult struct {
	Statistic float64 // z, positive when the current rate is higher
	PValue    float64 // two-sided
	Effect    float64 // current rate minus reference rate
}

// TwoProportionZ compares successes x1 of n1 (reference) with x2 of n2
// (current) by the pooled two-proportion z-test; the p-value is
// 2·scipy.stats.norm.sf(|z|). Both rates 0 or both 1 give z 0, p-value 1.
func TwoProportionZ(x1, n1, x2, n2 int) (ZTestResult, error) {
	if n1 <= 0 || n2 <= 0 {
		return ZTestResult{}, errors.New("z-test: a sample is empty")
	}
	p1, p2 := float64(x1)/float64(n1), float64(x2)/float64(n2)
	p := float64(x1+x2) / float64(n1+n2)
	se := math.Sqrt(p * (1 - p) * (1/float64(n1) + 1/float64(n2)))
	if se == 0 {
		return ZTestResult{Statistic: 0, PValue: 1, Effect: p2 - p1}, nil
	}
	z := (p2 - p1) / se
	return ZTestResult{Statistic: z, PValue: math.Erfc(math.Abs(z) / math.Sqrt2), Effect: p2 - p1}, nil
}
