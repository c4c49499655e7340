package drift

import (
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"sort"
	"strconv"
)

// Kind is how a column is tested.
type Kind string

// The kinds of column.
const (
	Numeric     Kind = "numeric"
	Categorical Kind = "categorical"
	Proportion  Kind = "proportion"
)

// Verdict is a test's or a column's conclusion.
type Verdict string

// The verdicts, from best to worst.
const (
	OK    Verdict = "ok"
	Warn  Verdict = "warn"
	Drift Verdict = "drift"
)

func worse(a, b Verdict) Verdict {
	rank := map[Verdict]int{OK: 0, Warn: 1, Drift: 2}
	if rank[b] > rank[a] {
		return b
	}
	return a
}

// Thresholds are the limits the tests compare with; DefaultThresholds has
// the values of issue 12.
type Thresholds struct {
	// SmallSample is the largest reference that gets the p-value tests
	// (KS, chi-square); a larger one gets the distances.
	SmallSample int     `json:"small_sample"`
	KSPValue    float64 `json:"ks_p"`          // drift when KS's p-value is below
	Wasserstein float64 `json:"wasserstein"`   // drift when the normed distance is at least
	PSIWarn     float64 `json:"psi_warn"`      // warn when PSI is at least
	PSIDrift    float64 `json:"psi_drift"`     // drift when PSI is at least
	ChiSquareP  float64 `json:"chi2_p"`        // drift when chi-square's p-value is below
	JS          float64 `json:"jensenshannon"` // drift when the distance is at least
	ZPValue     float64 `json:"z_p"`           // drift when the z-test's p-value is below ...
	MinEffect   float64 `json:"min_effect"`    // ... and the rates differ by at least this
}

// DefaultThresholds are issue 12's thresholds.
func DefaultThresholds() Thresholds {
	return Thresholds{SmallSample: 1000, KSPValue: 0.05, Wasserstein: 0.1, PSIWarn: 0.1, PSIDrift: 0.2,
		ChiSquareP: 0.05, JS: 0.1, ZPValue: 0.05, MinEffect: 0.01}
}

// TestResult is one test on one column.
type TestResult struct {
	Test      string   `json:"test"`
	Statistic float64  `json:"statistic"`
	PValue    *float64 `json:"p_value,omitempty"`
	Effect    *float64 `json:"effect,omitempty"`
	Threshold string   `json:"threshold"`
	Verdict   Verdict  `json:"verdict"`
}

func pval(p float64) *float64 { return &p }

// CompareNumeric runs the numeric tests: KS when the reference has at most
// SmallSample values, else the normed Wasserstein distance and PSI. The
// slices are sorted in place.
func CompareNumeric(ref, cur []float64, th Thresholds) ([]TestResult, error) {
	if len(ref) == 0 || len(cur) == 0 {
		return nil, errors.New("no values to compare")
	}
	if len(ref) <= th.SmallSample {
		ks, err := KS2Samp(ref, cur)
		if err != nil {
			return nil, err
		}
		v := OK
		if ks.PValue < th.KSPValue {
			v = Drift
		}
		name := "ks (asymptotic p)"
		if ks.Exact {
			name = "ks (exact p)"
		}
		return []TestResult{{Test: name, Statistic: ks.Statistic, PValue: pval(ks.PValue),
			Threshold: fmt.Sprintf("p < %g", th.KSPValue), Verdict: v}}, nil
	}
	sd := StdDev(ref)
	if !(sd > 0) {
		return nil, fmt.Errorf("the reference is constant (every value is %g): the Wasserstein distance cannot be normed by its standard deviation; test it as categorical", ref[0])
	}
	w, err := Wasserstein(ref, cur)
	if err != nil {
		return nil, err
	}
	nw := w / sd
	v := OK
	if nw >= th.Wasserstein {
		v = Drift
	}
	psi, err := PSI(ref, cur)
	if err != nil {
		return nil, err
	}
	pv := OK
	switch {
	case psi >= th.PSIDrift:
		pv = Drift
	case psi >= th.PSIWarn:
		pv = Warn
	}
	return []TestResult{
		{Test: "wasserstein (normed)", Statistic: nw, Threshold: fmt.Sprintf(">= %g", th.Wasserstein), Verdict: v},
		{Test: "psi", Statistic: psi, Threshold: fmt.Sprintf(">= %g warn, >= %g drift", th.PSIWarn, th.PSIDrift), Verdict: pv},
	}, nil
}

// CompareCategorical runs chi-square when the reference has at most
// SmallSample values, else the Jensen-Shannon distance, on counts per
// category. A category seen on one side only counts 0 on the other.
func CompareCategorical(ref, cur map[string]int, th Thresholds) ([]TestResult, error) {
	keys := make([]string, 0, len(ref)+len(cur))
	for k := range ref {
		keys = append(keys, k)
	}
	for k := range cur {
		if _, ok := ref[k]; !ok {
			keys = append(keys, k)
		}
	}
	sort.Strings(keys)
	r := make([]float64, len(keys))
	c := make([]float64, len(keys))
	var nr, nc int
	for i, k := range keys {
		r[i], c[i] = float64(ref[k]), float64(cur[k])
		nr += ref[k]
		nc += cur[k]
	}
	if nr == 0 || nc == 0 {
		return nil, errors.New("no values to compare")
	}
	if len(keys) == 1 {
		return []TestResult{{Test: "none", Threshold: "-", Verdict: OK}}, fmt.Errorf("constant column: every value is %q in both files", keys[0])
	}
	if nr <= th.SmallSample {
		res, err := ChiSquare(c, r)
		if err != nil {
			return nil, err
		}
		v := OK
		if res.PValue < th.ChiSquareP {
			v = Drift
		}
		return []TestResult{{Test: "chi-square", Statistic: res.Statistic, PValue: pval(res.PValue),
			Threshold: fmt.Sprintf("p < %g", th.ChiSquareP), Verdict: v}}, nil
	}
	js, err := JensenShannon(r, c)
	if err != nil {
		return nil, err
	}
	v := OK
	if js >= th.JS {
		v = Drift
	}
	return []TestResult{{Test: "jensen-shannon", Statistic: js, Threshold: fmt.Sprintf(">= %g", th.JS), Verdict: v}}, nil
}

// CompareProportion runs the two-proportion z-test: drift needs both a
// p-value below ZPValue and a change of the rate of at least MinEffect.
func CompareProportion(x1, n1, x2, n2 int, th Thresholds) ([]TestResult, error) {
	res, err := TwoProportionZ(x1, n1, x2, n2)
	if err != nil {
		return nil, errors.New("no values to compare")
	}
	v := OK
	if res.PValue < th.ZPValue && math.Abs(res.Effect) >= th.MinEffect {
		v = Drift
	}
	return []TestResult{{Test: "two-proportion z", Statistic: res.Statistic, PValue: pval(res.PValue), Effect: pval(res.Effect),
		Threshold: fmt.Sprintf("p < %g and |effect| >= %g", th.ZPValue, th.MinEffect), Verdict: v}}, nil
}

// MarshalJSON writes an infinite statistic (chi-square with a category
// the reference never saw) as the string "+Inf", which JSON has no number for.
func (t TestResult) MarshalJSON() ([]byte, error) {
	type plain TestResult
	if math.IsInf(t.Statistic, 0) {
		return json.Marshal(struct {
			plain
			Statistic string `json:"statistic"`
		}{plain(t), strconv.FormatFloat(t.Statistic, 'g', -1, 64)})
	}
	return json.Marshal(plain(t))
}
