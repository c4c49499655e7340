package drift

import (
	"encoding/json"
	"fmt"
	"math"
	"math/rand/v2"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func writeFile(t *testing.T, name, body string) string {
	t.Helper()
	p := filepath.Join(t.TempDir(), name)
	if err := os.WriteFile(p, []byte(body), 0o600); err != nil {
		t.Fatal(err)
	}
	return p
}

func compareFiles(t *testing.T, ref, cur string, o Options) (*Report, error) {
	t.Helper()
	if o.Thresholds == (Thresholds{}) {
		o.Thresholds = DefaultThresholds()
	}
	rt, err := ReadFile(ref)
	if err != nil {
		return nil, err
	}
	ct, err := ReadFile(cur)
	if err != nil {
		return nil, err
	}
	return Compare(rt, ct, o)
}

func column(t *testing.T, rep *Report, name string) ColumnReport {
	t.Helper()
	for _, c := range rep.Columns {
		if c.Column == name {
			return c
		}
	}
	t.Fatalf("no column %q in %+v", name, rep.Columns)
	return ColumnReport{}
}

// csvOf writes n rows of the columns produced by gen.
func csvOf(header string, n int, gen func(i int) string) string {
	var b strings.Builder
	b.WriteString(header + "\n")
	for i := 0; i < n; i++ {
		b.WriteString(gen(i) + "\n")
	}
	return b.String()
}

func TestKindsAreInferredAsEvidentlyDoes(t *testing.T) {
	t.Parallel()
	body := csvOf("x,few,word,flag", 50, func(i int) string {
		return fmt.Sprintf("%d.5,%d,w%d,%v", i, i%3, i%4, i%2 == 0)
	})
	ref := writeFile(t, "ref.csv", body)
	rep, err := compareFiles(t, ref, ref, Options{})
	if err != nil {
		t.Fatal(err)
	}
	for name, want := range map[string]Kind{"x": Numeric, "few": Categorical, "word": Categorical, "flag": Proportion} {
		if got := column(t, rep, name).Kind; got != want {
			t.Errorf("%s: kind %s, want %s", name, got, want)
		}
	}
	rep, err = compareFiles(t, ref, ref, Options{Numeric: []string{"few"}, Categorical: []string{"x"}})
	if err != nil {
		t.Fatal(err)
	}
	if column(t, rep, "few").Kind != Numeric || column(t, rep, "x").Kind != Categorical {
		t.Errorf("overrides ignored: %+v", rep.Columns)
	}
	if _, err := compareFiles(t, ref, ref, Options{Numeric: []string{"nope"}}); err == nil {
		t.Error("an override naming a missing column passed")
	}
}

func TestTestChoiceBySize(t *testing.T) {
	t.Parallel()
	rng := rand.New(rand.NewPCG(1, 2))
	gen := func(n int, shift float64) string {
		return csvOf("v,c", n, func(int) string {
			return fmt.Sprintf("%.5f,%s", rng.NormFloat64()+shift, []string{"a", "b", "c"}[rng.IntN(3)])
		})
	}
	for _, tc := range []struct {
		n     int
		tests []string
		cat   string
	}{
		{500, []string{"ks (exact p)"}, "chi-square"},
		{5000, []string{"wasserstein (normed)", "psi"}, "jensen-shannon"},
	} {
		rep, err := compareFiles(t, writeFile(t, "r.csv", gen(tc.n, 0)), writeFile(t, "c.csv", gen(tc.n, 1)), Options{})
		if err != nil {
			t.Fatal(err)
		}
		v := column(t, rep, "v")
		var names []string
		for _, x := range v.Tests {
			names = append(names, x.Test)
		}
		if strings.Join(names, ",") != strings.Join(tc.tests, ",") || v.Verdict != Drift {
			t.Errorf("n=%d: numeric tests %v verdict %s, want %v and drift", tc.n, names, v.Verdict, tc.tests)
		}
		if c := column(t, rep, "c"); c.Tests[0].Test != tc.cat || c.Verdict != OK {
			t.Errorf("n=%d: categorical %+v, want %s and ok", tc.n, c.Tests, tc.cat)
		}
	}
}

func TestMinimumEffectKeepsTinyChangesQuiet(t *testing.T) {
	t.Parallel()
	th := DefaultThresholds()
	// 10.0% vs 10.1% on a million each: significant, but below the effect.
	res, err := CompareProportion(100000, 1000000, 101000, 1000000, th)
	if err != nil {
		t.Fatal(err)
	}
	if *res[0].PValue >= 0.05 || res[0].Verdict != OK {
		t.Errorf("a 0.1-point change: p %g verdict %s, want p < 0.05 and ok", *res[0].PValue, res[0].Verdict)
	}
	res, _ = CompareProportion(100000, 1000000, 120000, 1000000, th)
	if res[0].Verdict != Drift {
		t.Errorf("a 2-point change: verdict %s, want drift", res[0].Verdict)
	}
}

func TestPSIWarnsBetweenItsThresholds(t *testing.T) {
	t.Parallel()
	th := DefaultThresholds()
	th.PSIWarn, th.PSIDrift = 0, 1e9
	ref := make([]float64, 2000)
	cur := make([]float64, 2000)
	for i := range ref {
		ref[i], cur[i] = float64(i), float64(i)+300
	}
	res, err := CompareNumeric(ref, cur, th)
	if err != nil {
		t.Fatal(err)
	}
	if res[1].Test != "psi" || res[1].Verdict != Warn {
		t.Errorf("psi %+v, want warn", res[1])
	}
}

func TestBadInput(t *testing.T) {
	t.Parallel()
	good := writeFile(t, "good.csv", "a,b\n1,x\n2,y\n3,x\n")
	for _, tc := range []struct {
		name, ref, cur string
		o              Options
		fileErr        string // an error from reading or comparing
		problem        string // a column that could not be tested
	}{
		{name: "empty file", ref: "", fileErr: "is empty"},
		{name: "ragged row", ref: "a,b\n1,x\n2\n", fileErr: "line 3: 1 fields, but the header has 2"},
		{name: "repeated header", ref: "a,a\n1,2\n", fileErr: "repeated column name"},
		{name: "bad jsonl", ref: "{\"a\":1}\n{\"a\":\n", fileErr: "line 2: not a JSON object"},
		{name: "nested jsonl", ref: "{\"a\":[1]}\n", fileErr: "nested"},
		{name: "no shared column", ref: "z\n1\n", fileErr: "share no column"},
		{name: "header only", ref: "a,b\n", problem: "the reference has no values"},
		{name: "all NaN", ref: "a,b\nNaN,x\ninf,y\n-Inf,x\n", o: Options{Numeric: []string{"a"}}, problem: "1 NaN, 2 infinite dropped"},
		{name: "not numbers", ref: "a,b\n1,x\nfoo,y\n", o: Options{Numeric: []string{"a"}}, problem: "not every value is a number"},
		{name: "constant", ref: "a,b\n1,x\n1,x\n", cur: "a,b\n1,x\n", problem: "constant column"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			ref := writeFile(t, "ref", tc.ref)
			cur := good
			if tc.cur != "" {
				cur = writeFile(t, "cur", tc.cur)
			}
			rep, err := compareFiles(t, ref, cur, tc.o)
			if tc.fileErr != "" {
				if err == nil || !strings.Contains(err.Error(), tc.fileErr) {
					t.Fatalf("error %v, want one containing %q", err, tc.fileErr)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			var problems []string
			for _, c := range rep.Columns {
				problems = append(problems, c.Problem)
			}
			if !strings.Contains(strings.Join(problems, "|"), tc.problem) {
				t.Errorf("problems %q, want one containing %q", problems, tc.problem)
			}
		})
	}
}

func TestSingleValuesAndConstantNumbersStillGetATest(t *testing.T) {
	t.Parallel()
	th := DefaultThresholds()
	res, err := CompareNumeric([]float64{1}, []float64{2}, th)
	if err != nil || res[0].PValue == nil || *res[0].PValue != 1 {
		t.Errorf("one value a side: %+v %v, want KS with p-value 1", res, err)
	}
	big := make([]float64, 2000)
	if _, err := CompareNumeric(big, []float64{0, 1}, th); err == nil || !strings.Contains(err.Error(), "constant") {
		t.Errorf("constant large reference: %v, want an error that says it is constant", err)
	}
	if _, err := KS2Samp(nil, []float64{1}); err == nil {
		t.Error("KS on an empty sample passed")
	}
	if _, err := JensenShannon([]float64{0, 0}, []float64{1, 1}); err == nil {
		t.Error("Jensen-Shannon on an empty sample passed")
	}
	r, err := ChiSquare([]float64{5, 5}, []float64{10, 0})
	if err != nil || !math.IsInf(r.Statistic, 1) || r.PValue != 0 {
		t.Errorf("a category the reference never saw: %+v %v, want inf and p 0 as scipy", r, err)
	}
}

func TestJSONLColumnsMayBeAbsent(t *testing.T) {
	t.Parallel()
	p := writeFile(t, "a.jsonl", "{\"a\":1,\"b\":\"x\"}\n\n{\"b\":\"y\"}\n{\"a\":null,\"b\":\"x\",\"c\":true}\n")
	tb, err := ReadFile(p)
	if err != nil {
		t.Fatal(err)
	}
	if tb.Rows != 3 {
		t.Fatalf("rows %d, want 3", tb.Rows)
	}
	want := map[string][2]int{"a": {1, 2}, "b": {3, 0}, "c": {1, 2}}
	for name, w := range want {
		c := tb.Column(name)
		if c == nil || c.Values != w[0] || c.Missing != w[1] {
			t.Errorf("%s: %+v, want %d values and %d missing", name, c, w[0], w[1])
		}
	}
}

func TestInfiniteStatisticIsWrittenAsJSON(t *testing.T) {
	t.Parallel()
	res, err := CompareCategorical(map[string]int{"a": 10}, map[string]int{"a": 5, "b": 5}, DefaultThresholds())
	if err != nil {
		t.Fatal(err)
	}
	raw, err := json.Marshal(res[0])
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(string(raw), `"statistic":"+Inf"`) || res[0].Verdict != Drift {
		t.Errorf("%s, verdict %s: want the statistic as \"+Inf\" and drift", raw, res[0].Verdict)
	}
	raw, _ = json.Marshal(TestResult{Test: "x", Statistic: 1.5})
	if !strings.Contains(string(raw), `"statistic":1.5`) {
		t.Errorf("a finite statistic: %s", raw)
	}
}
