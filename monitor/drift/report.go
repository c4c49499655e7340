package drift

import (
	"errors"
	"fmt"
	"sort"
	"strings"
)

// Options steer Compare.
type Options struct {
	Thresholds  Thresholds
	Categorical []string // columns tested as categorical whatever they hold
	Numeric     []string // columns tested as numeric whatever they hold
	Proportion  []string // columns tested as rates of true (1) against false (0)
}

// Side counts what one file gave a column.
type Side struct {
	Values  int `json:"values"`  // values tested
	Missing int `json:"missing"` // empty cells, nulls, absent keys
	NaN     int `json:"nan"`     // NaN dropped (numeric columns)
	Inf     int `json:"inf"`     // ±Inf dropped (numeric columns)
}

// ColumnReport is the outcome for one column.
type ColumnReport struct {
	Column    string       `json:"column"`
	Kind      Kind         `json:"kind"`
	Reference Side         `json:"reference"`
	Current   Side         `json:"current"`
	Tests     []TestResult `json:"tests,omitempty"`
	Verdict   Verdict      `json:"verdict"`
	Problem   string       `json:"problem,omitempty"` // why a column could not be tested
}

// Report is the outcome of Compare.
type Report struct {
	Reference string         `json:"reference"`
	Current   string         `json:"current"`
	Columns   []ColumnReport `json:"columns"`
	Skipped   []string       `json:"skipped,omitempty"` // columns in one file only
	Drifted   int            `json:"drifted"`
}

// smallDistinct is Evidently's rule: a numeric column with at most this
// many distinct values is tested as categorical.
const smallDistinct = 5

// Compare runs the drift tests on every column the two files share.
func Compare(ref, cur *Table, o Options) (*Report, error) {
	forced := map[string]Kind{}
	for _, l := range []struct {
		names []string
		kind  Kind
	}{{o.Categorical, Categorical}, {o.Numeric, Numeric}, {o.Proportion, Proportion}} {
		for _, n := range l.names {
			if k, ok := forced[n]; ok && k != l.kind {
				return nil, fmt.Errorf("column %q is named as both %s and %s", n, k, l.kind)
			}
			if ref.Column(n) == nil || cur.Column(n) == nil {
				return nil, fmt.Errorf("column %q, named as %s, is not in both files", n, l.kind)
			}
			forced[n] = l.kind
		}
	}
	rep := &Report{Reference: ref.Path, Current: cur.Path}
	for _, rc := range ref.Columns {
		cc := cur.Column(rc.Name)
		if cc == nil {
			rep.Skipped = append(rep.Skipped, rc.Name)
			continue
		}
		kind, ok := forced[rc.Name]
		if !ok {
			kind = inferKind(rc, cc)
		}
		cr := compareColumn(rc, cc, kind, o.Thresholds)
		if cr.Verdict == Drift {
			rep.Drifted++
		}
		rep.Columns = append(rep.Columns, cr)
	}
	for _, cc := range cur.Columns {
		if ref.Column(cc.Name) == nil {
			rep.Skipped = append(rep.Skipped, cc.Name)
		}
	}
	if len(rep.Columns) == 0 {
		return nil, fmt.Errorf("%s and %s share no column", ref.Path, cur.Path)
	}
	return rep, nil
}

// inferKind tells the kinds apart as Evidently does: numeric when every
// value in both files is a number and there are more than five distinct
// values, else categorical; a column of only true/false (or 0/1) is a
// proportion.
func inferKind(a, b *Column) Kind {
	distinct := map[string]bool{}
	for _, c := range []*Column{a, b} {
		for k := range c.Counts {
			distinct[k] = true
		}
	}
	if !a.Overflow && !b.Overflow && len(distinct) > 0 {
		boolean := true
		for k := range distinct {
			if _, ok := boolValue(k); !ok {
				boolean = false
				break
			}
		}
		if boolean {
			return Proportion
		}
	}
	if a.AllNumber && b.AllNumber && (a.Overflow || b.Overflow || len(distinct) > smallDistinct) {
		return Numeric
	}
	return Categorical
}

func boolValue(s string) (bool, bool) {
	switch strings.ToLower(strings.TrimSpace(s)) {
	case "1", "true":
		return true, true
	case "0", "false":
		return false, true
	}
	return false, false
}

func compareColumn(rc, cc *Column, kind Kind, th Thresholds) ColumnReport {
	cr := ColumnReport{Column: rc.Name, Kind: kind, Verdict: OK,
		Reference: Side{Missing: rc.Missing}, Current: Side{Missing: cc.Missing}}
	var err error
	switch kind {
	case Numeric:
		cr.Reference.NaN, cr.Reference.Inf = rc.NaN, rc.Inf
		cr.Current.NaN, cr.Current.Inf = cc.NaN, cc.Inf
		if !rc.AllNumber || !cc.AllNumber {
			err = errors.New("not every value is a number")
			break
		}
		cr.Reference.Values, cr.Current.Values = len(rc.Nums), len(cc.Nums)
		if err = emptiness(cr); err == nil {
			cr.Tests, err = CompareNumeric(rc.Nums, cc.Nums, th)
		}
	case Categorical:
		if rc.Overflow || cc.Overflow {
			err = fmt.Errorf("more than %d distinct values: an identifier, not a metric", MaxCategories)
			break
		}
		cr.Reference.Values, cr.Current.Values = rc.Values, cc.Values
		if err = emptiness(cr); err == nil {
			cr.Tests, err = CompareCategorical(rc.Counts, cc.Counts, th)
		}
	case Proportion:
		x1, n1, e1 := rate(rc)
		x2, n2, e2 := rate(cc)
		cr.Reference.Values, cr.Current.Values = n1, n2
		if err = errors.Join(e1, e2); err == nil {
			if err = emptiness(cr); err == nil {
				cr.Tests, err = CompareProportion(x1, n1, x2, n2, th)
			}
		}
	}
	if err != nil {
		cr.Problem = err.Error()
	}
	for _, t := range cr.Tests {
		cr.Verdict = worse(cr.Verdict, t.Verdict)
	}
	return cr
}

func emptiness(cr ColumnReport) error {
	var empty []string
	for _, s := range []struct {
		name string
		side Side
	}{{"reference", cr.Reference}, {"current", cr.Current}} {
		if s.side.Values == 0 {
			empty = append(empty, fmt.Sprintf("the %s has no values (%d missing, %d NaN, %d infinite dropped)",
				s.name, s.side.Missing, s.side.NaN, s.side.Inf))
		}
	}
	if len(empty) > 0 {
		return errors.New(strings.Join(empty, "; "))
	}
	return nil
}

func rate(c *Column) (x, n int, err error) {
	if c.Overflow {
		return 0, 0, errors.New("too many distinct values for a true/false column")
	}
	keys := make([]string, 0, len(c.Counts))
	for k := range c.Counts {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, k := range keys {
		b, ok := boolValue(k)
		if !ok {
			return 0, 0, fmt.Errorf("value %q is neither true/false nor 1/0", k)
		}
		n += c.Counts[k]
		if b {
			x += c.Counts[k]
		}
	}
	return x, n, nil
}
