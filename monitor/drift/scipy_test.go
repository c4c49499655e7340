package drift

import (
	"compress/gzip"
	"encoding/json"
	"math"
	"os"
	"slices"
	"testing"
)

// The tolerances of issue 12: statistics equal scipy's within 1e-6,
// p-values within 1e-4.
const (
	statTol = 1e-6
	pTol    = 1e-4
)

type fixture struct {
	Scipy string `json:"scipy"`
	KS    []struct {
		Name      string    `json:"name"`
		A         []float64 `json:"a"`
		B         []float64 `json:"b"`
		Statistic float64   `json:"statistic"`
		PValue    float64   `json:"pvalue"`
		Exact     bool      `json:"exact"`
	} `json:"ks"`
	Numeric []struct {
		Name              string    `json:"name"`
		A                 []float64 `json:"a"`
		B                 []float64 `json:"b"`
		Wasserstein       float64   `json:"wasserstein"`
		NormedWasserstein float64   `json:"normed_wasserstein"`
		PSI               float64   `json:"psi"`
	} `json:"numeric"`
	Categorical []struct {
		Name      string    `json:"name"`
		Reference []float64 `json:"reference"`
		Current   []float64 `json:"current"`
		Chi2      float64   `json:"chi2"`
		Chi2P     float64   `json:"chi2_pvalue"`
		JS        float64   `json:"js"`
	} `json:"categorical"`
	JS []struct {
		Name      string    `json:"name"`
		Reference []float64 `json:"reference"`
		Current   []float64 `json:"current"`
		JS        float64   `json:"js"`
	} `json:"js"`
	Proportion []struct {
		Name   string  `json:"name"`
		X1     int     `json:"x1"`
		N1     int     `json:"n1"`
		X2     int     `json:"x2"`
		N2     int     `json:"n2"`
		Z      float64 `json:"z"`
		PValue float64 `json:"pvalue"`
	} `json:"proportion"`
}

func loadFixture(t *testing.T) fixture {
	t.Helper()
	file, err := os.Open("testdata/scipy_reference.json.gz") // gzipped: 1.4 MB of JSON
	if err != nil {
		t.Fatal(err)
	}
	defer file.Close()
	zr, err := gzip.NewReader(file)
	if err != nil {
		t.Fatal(err)
	}
	var f fixture
	if err := json.NewDecoder(zr).Decode(&f); err != nil {
		t.Fatal(err)
	}
	return f
}

func near(t *testing.T, what string, got, want, tol float64) {
	t.Helper()
	if math.Abs(got-want) > tol || math.IsNaN(got) != math.IsNaN(want) {
		t.Errorf("%s = %.12g, scipy says %.12g (tolerance %g)", what, got, want, tol)
	}
}

func TestKS2SampEqualsScipy(t *testing.T) {
	t.Parallel()
	f := loadFixture(t)
	sawExact, sawAsymp := false, false
	for _, c := range f.KS {
		got, err := KS2Samp(slices.Clone(c.A), slices.Clone(c.B))
		if err != nil {
			t.Fatalf("%s: %v", c.Name, err)
		}
		near(t, c.Name+": statistic", got.Statistic, c.Statistic, statTol)
		near(t, c.Name+": p-value", got.PValue, c.PValue, pTol)
		if got.Exact != c.Exact {
			t.Errorf("%s: exact = %v, scipy's rule says %v", c.Name, got.Exact, c.Exact)
		}
		sawExact = sawExact || c.Exact
		sawAsymp = sawAsymp || !c.Exact
	}
	if !sawExact || !sawAsymp {
		t.Error("the fixture must cover both the exact and the asymptotic p-value")
	}
}

func TestNumericDistancesEqualScipy(t *testing.T) {
	t.Parallel()
	for _, c := range loadFixture(t).Numeric {
		w, err := Wasserstein(slices.Clone(c.A), slices.Clone(c.B))
		if err != nil {
			t.Fatal(err)
		}
		near(t, c.Name+": wasserstein", w, c.Wasserstein, statTol)
		nw, err := NormedWasserstein(slices.Clone(c.A), slices.Clone(c.B))
		if err != nil {
			t.Fatal(err)
		}
		near(t, c.Name+": normed wasserstein", nw, c.NormedWasserstein, statTol)
		psi, err := PSI(slices.Clone(c.A), slices.Clone(c.B))
		if err != nil {
			t.Fatal(err)
		}
		near(t, c.Name+": psi", psi, c.PSI, statTol)
	}
}

func TestCategoricalEqualsScipy(t *testing.T) {
	t.Parallel()
	f := loadFixture(t)
	for _, c := range f.Categorical {
		res, err := ChiSquare(c.Current, c.Reference)
		if err != nil {
			t.Fatal(err)
		}
		near(t, c.Name+": chi2", res.Statistic, c.Chi2, statTol)
		near(t, c.Name+": chi2 p-value", res.PValue, c.Chi2P, pTol)
		js, err := JensenShannon(c.Reference, c.Current)
		if err != nil {
			t.Fatal(err)
		}
		near(t, c.Name+": js", js, c.JS, statTol)
	}
	for _, c := range f.JS {
		js, err := JensenShannon(c.Reference, c.Current)
		if err != nil {
			t.Fatal(err)
		}
		near(t, c.Name+": js", js, c.JS, statTol)
	}
}

func TestTwoProportionZEqualsScipy(t *testing.T) {
	t.Parallel()
	for _, c := range loadFixture(t).Proportion {
		res, err := TwoProportionZ(c.X1, c.N1, c.X2, c.N2)
		if err != nil {
			t.Fatal(err)
		}
		near(t, c.Name+": z", res.Statistic, c.Z, statTol)
		near(t, c.Name+": p-value", res.PValue, c.PValue, pTol)
	}
}
