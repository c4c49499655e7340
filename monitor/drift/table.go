package drift

import (
	"bufio"
	"bytes"
	"encoding/csv"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math"
	"os"
	"strconv"
	"strings"
)

// MaxCategories is the most distinct values a column may hold to be
// tested as categorical; more looks like an identifier, not a metric.
const MaxCategories = 10000

// Column holds what the tests need of one column of a file: its numbers
// while every value parses as one, and its counts per distinct value.
type Column struct {
	Name      string
	Nums      []float64      // the finite numbers, while AllNumeric
	Counts    map[string]int // per distinct value, up to MaxCategories
	Overflow  bool           // more than MaxCategories distinct values
	AllNumber bool           // every non-empty value parses as a number
	Values    int            // non-empty values, NaN and infinities included
	Missing   int            // empty cells, nulls and absent keys
	NaN       int            // NaN values (dropped from the numbers)
	Inf       int            // ±Inf values (dropped from the numbers)
}

func newColumn(name string) *Column {
	return &Column{Name: name, Counts: map[string]int{}, AllNumber: true}
}

func (c *Column) add(s string) {
	if s == "" {
		c.Missing++
		return
	}
	c.Values++
	if n, ok := c.Counts[s]; ok {
		c.Counts[s] = n + 1
	} else if len(c.Counts) < MaxCategories {
		c.Counts[s] = 1
	} else {
		c.Overflow = true
	}
	if !c.AllNumber {
		return
	}
	f, err := strconv.ParseFloat(strings.TrimSpace(s), 64)
	if err != nil && !errors.Is(err, strconv.ErrRange) {
		c.AllNumber = false
		c.Nums = nil
		return
	}
	switch {
	case math.IsNaN(f):
		c.NaN++
	case math.IsInf(f, 0):
		c.Inf++
	default:
		c.Nums = append(c.Nums, f)
	}
}

// Table is a file read column by column.
type Table struct {
	Path    string
	Columns []*Column // in the order of the header or of first appearance
	Rows    int
}

// Column returns the column called name, or nil.
func (t *Table) Column(name string) *Column {
	for _, c := range t.Columns {
		if c.Name == name {
			return c
		}
	}
	return nil
}

// ReadFile reads a CSV file with a header row, or a JSONL file with one
// object per line (told apart by the first non-blank byte, '{').
func ReadFile(path string) (*Table, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	br := bufio.NewReaderSize(f, 1<<20)
	first, err := peekNonSpace(br)
	if err != nil {
		return nil, fmt.Errorf("%s is empty: it needs a header row (CSV) or one JSON object per line (JSONL)", path)
	}
	if first == '{' {
		return readJSONL(path, br)
	}
	return readCSV(path, br)
}

func peekNonSpace(br *bufio.Reader) (byte, error) {
	for {
		b, err := br.ReadByte()
		if err != nil {
			return 0, err
		}
		if b != ' ' && b != '\t' && b != '\n' && b != '\r' {
			return b, br.UnreadByte()
		}
	}
}

func readCSV(path string, r io.Reader) (*Table, error) {
	cr := csv.NewReader(r)
	cr.FieldsPerRecord = -1
	cr.ReuseRecord = true
	header, err := cr.Read()
	if err != nil {
		return nil, fmt.Errorf("%s: reading the header row: %w", path, err)
	}
	t := &Table{Path: path}
	seen := map[string]bool{}
	for _, h := range header {
		h = strings.TrimSpace(h)
		if h == "" || seen[h] {
			return nil, fmt.Errorf("%s line 1: the header has an empty or repeated column name %q", path, h)
		}
		seen[h] = true
		t.Columns = append(t.Columns, newColumn(h))
	}
	for {
		rec, err := cr.Read()
		if err == io.EOF {
			break
		}
		if err != nil {
			return nil, fmt.Errorf("%s: %w", path, err)
		}
		if len(rec) != len(header) {
			line, _ := cr.FieldPos(0)
			return nil, fmt.Errorf("%s line %d: %d fields, but the header has %d", path, line, len(rec), len(header))
		}
		for i, v := range rec {
			t.Columns[i].add(v)
		}
		t.Rows++
	}
	return t, nil
}

func readJSONL(path string, r *bufio.Reader) (*Table, error) {
	t := &Table{Path: path}
	index := map[string]int{}
	sc := bufio.NewScanner(r)
	sc.Buffer(make([]byte, 0, 1<<16), 1<<24)
	line := 0
	for sc.Scan() {
		line++
		b := bytes.TrimSpace(sc.Bytes())
		if len(b) == 0 {
			continue
		}
		var obj map[string]json.RawMessage
		if err := json.Unmarshal(b, &obj); err != nil {
			return nil, fmt.Errorf("%s line %d: not a JSON object: %v", path, line, err)
		}
		for k, raw := range obj {
			i, ok := index[k]
			if !ok {
				i = len(t.Columns)
				index[k] = i
				c := newColumn(k)
				c.Missing = t.Rows // absent from the earlier rows
				t.Columns = append(t.Columns, c)
			}
			s, err := scalar(raw)
			if err != nil {
				return nil, fmt.Errorf("%s line %d: key %q: %v", path, line, k, err)
			}
			t.Columns[i].add(s)
		}
		t.Rows++
		for _, c := range t.Columns {
			if c.Values+c.Missing < t.Rows {
				c.Missing++
			}
		}
	}
	if err := sc.Err(); err != nil {
		return nil, fmt.Errorf("%s line %d: %w", path, line+1, err)
	}
	return t, nil
}

// scalar turns a JSON value into the text a CSV cell would hold.
func scalar(raw json.RawMessage) (string, error) {
	raw = bytes.TrimSpace(raw)
	switch {
	case len(raw) == 0 || string(raw) == "null":
		return "", nil
	case raw[0] == '"':
		var s string
		err := json.Unmarshal(raw, &s)
		return s, err
	case raw[0] == '{' || raw[0] == '[':
		return "", errors.New("a nested object or array, not a single value")
	}
	return string(raw), nil
}
