package provenance

import (
	"bytes"
	"fmt"
	"io"
	"path/filepath"
)

// diffContext is the number of unchanged lines around each hunk.
const diffContext = 3

// WriteUnifiedDiff prints the unified diff between two versions of a file
// that have the same number of lines (what a pin produces: lines are
// changed in place, never added or removed).
func WriteUnifiedDiff(w io.Writer, path string, oldData, newData []byte) error {
	a := bytes.SplitAfter(oldData, []byte("\n"))
	b := bytes.SplitAfter(newData, []byte("\n"))
	if len(a) != len(b) {
		return fmt.Errorf("diff %s: line counts differ (%d, %d)", path, len(a), len(b))
	}
	var changed []int
	for i := range a {
		if !bytes.Equal(a[i], b[i]) {
			changed = append(changed, i)
		}
	}
	if len(changed) == 0 {
		return nil
	}
	a0, b0 := "a/"+path, "b/"+path
	if filepath.IsAbs(path) {
		a0, b0 = path, path
	}
	if _, err := fmt.Fprintf(w, "--- %s\n+++ %s\n", a0, b0); err != nil {
		return err
	}
	for i := 0; i < len(changed); {
		// A hunk spans changes whose contexts touch.
		j := i
		for j+1 < len(changed) && changed[j+1]-changed[j] <= 2*diffContext+1 {
			j++
		}
		start := max(changed[i]-diffContext, 0)
		end := min(changed[j]+diffContext+1, len(a))
		if end == len(a) && len(a[end-1]) == 0 {
			end-- // the empty piece after a final newline is no line
		}
		var hunk bytes.Buffer
		for k := start; k < end; k++ {
			if bytes.Equal(a[k], b[k]) {
				writeDiffLine(&hunk, ' ', a[k])
			} else {
				writeDiffLine(&hunk, '-', a[k])
				writeDiffLine(&hunk, '+', b[k])
			}
		}
		n := end - start
		if _, err := fmt.Fprintf(w, "@@ -%d,%d +%d,%d @@\n%s", start+1, n, start+1, n, hunk.Bytes()); err != nil {
			return err
		}
		i = j + 1
	}
	return nil
}

func writeDiffLine(buf *bytes.Buffer, sign byte, line []byte) {
	buf.WriteByte(sign)
	buf.Write(line)
	if !bytes.HasSuffix(line, []byte("\n")) {
		buf.WriteString("\n\\ No newline at end of file\n")
	}
}
