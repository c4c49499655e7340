package provenance

import (
	"bytes"
	"fmt"
	"io"
	"path/filepath"
)

// diffContext is the number of unchanged lines around each hunk.
const diffContext = 3

// diffOp is one line of an edit script: ' ' kept, '-' removed, '+' added.
type diffOp struct {
	kind byte
	line []byte
}

// splitLines splits data after each newline; a final newline starts no
// line.
func splitLines(data []byte) [][]byte {
	lines := bytes.SplitAfter(data, []byte("\n"))
	if len(lines) > 0 && len(lines[len(lines)-1]) == 0 {
		lines = lines[:len(lines)-1]
	}
	return lines
}

// diffLines returns the shortest edit script from a to b (Myers' O(ND)
// algorithm, so a pin's few changes in a long file cost little), with the
// removals of each change before its additions.
func diffLines(a, b [][]byte) []diffOp {
	n, m := len(a), len(b)
	off := n + m + 1
	v := make([]int, 2*off+1)
	var trace [][]int
	found := false
	for d := 0; d <= n+m && !found; d++ {
		trace = append(trace, append([]int(nil), v...))
		for k := -d; k <= d; k += 2 {
			var x int
			if k == -d || (k != d && v[off+k-1] < v[off+k+1]) {
				x = v[off+k+1] // down: an addition
			} else {
				x = v[off+k-1] + 1 // right: a removal
			}
			y := x - k
			for x < n && y < m && bytes.Equal(a[x], b[y]) {
				x, y = x+1, y+1
			}
			v[off+k] = x
			if x >= n && y >= m {
				found = true
				break
			}
		}
	}
	// Walk back from the end through the saved frontiers.
	var ops []diffOp
	x, y := n, m
	for d := len(trace) - 1; d > 0; d-- {
		v := trace[d]
		k := x - y
		var pk int
		if k == -d || (k != d && v[off+k-1] < v[off+k+1]) {
			pk = k + 1
		} else {
			pk = k - 1
		}
		px := v[off+pk]
		py := px - pk
		for x > px && y > py {
			ops = append(ops, diffOp{' ', a[x-1]})
			x, y = x-1, y-1
		}
		if x == px {
			ops = append(ops, diffOp{'+', b[y-1]})
			y--
		} else {
			ops = append(ops, diffOp{'-', a[x-1]})
			x--
		}
	}
	for x > 0 && y > 0 {
		ops = append(ops, diffOp{' ', a[x-1]})
		x, y = x-1, y-1
	}
	for i, j := 0, len(ops)-1; i < j; i, j = i+1, j-1 {
		ops[i], ops[j] = ops[j], ops[i]
	}
	// Within each run of changes, removals first, as diff(1) prints them.
	for i := 0; i < len(ops); {
		if ops[i].kind == ' ' {
			i++
			continue
		}
		j := i
		for j < len(ops) && ops[j].kind != ' ' {
			j++
		}
		run := make([]diffOp, 0, j-i)
		for _, want := range []byte{'-', '+'} {
			for _, o := range ops[i:j] {
				if o.kind == want {
					run = append(run, o)
				}
			}
		}
		copy(ops[i:j], run)
		i = j
	}
	return ops
}

// WriteUnifiedDiff prints the unified diff between two versions of a file,
// with three lines of context; it prints nothing when they are equal.
func WriteUnifiedDiff(w io.Writer, path string, oldData, newData []byte) error {
	ops := diffLines(splitLines(oldData), splitLines(newData))
	changed := false
	for _, o := range ops {
		if o.kind != ' ' {
			changed = true
			break
		}
	}
	if !changed {
		return nil
	}
	a0, b0 := "a/"+path, "b/"+path
	if filepath.IsAbs(path) {
		a0, b0 = path, path
	}
	if _, err := fmt.Fprintf(w, "--- %s\n+++ %s\n", a0, b0); err != nil {
		return err
	}
	// aLine and bLine are the 1-based numbers of ops[i]'s line in each file.
	aLine, bLine := 1, 1
	for i := 0; i < len(ops); {
		if ops[i].kind == ' ' {
			aLine, bLine, i = aLine+1, bLine+1, i+1
			continue
		}
		// A hunk: back up over the context, then run until a stretch of
		// more than twice the context is unchanged.
		start := max(i-diffContext, 0)
		aLine, bLine = aLine-(i-start), bLine-(i-start)
		end, kept := i, 0
		for end < len(ops) {
			if ops[end].kind == ' ' {
				kept++
				if kept > 2*diffContext {
					break
				}
			} else {
				kept = 0
			}
			end++
		}
		trailing := 0
		for k := end - 1; k >= i && ops[k].kind == ' '; k-- {
			trailing++
		}
		end -= max(trailing-diffContext, 0)
		var hunk bytes.Buffer
		aCount, bCount := 0, 0
		for _, o := range ops[start:end] {
			hunk.WriteByte(o.kind)
			hunk.Write(o.line)
			if !bytes.HasSuffix(o.line, []byte("\n")) {
				hunk.WriteString("\n\\ No newline at end of file\n")
			}
			if o.kind != '+' {
				aCount++
			}
			if o.kind != '-' {
				bCount++
			}
		}
		aStart, bStart := aLine, bLine
		if aCount == 0 {
			aStart--
		}
		if bCount == 0 {
			bStart--
		}
		if _, err := fmt.Fprintf(w, "@@ -%d,%d +%d,%d @@\n%s", aStart, aCount, bStart, bCount, hunk.Bytes()); err != nil {
			return err
		}
		aLine, bLine, i = aLine+aCount, bLine+bCount, end
	}
	return nil
}
