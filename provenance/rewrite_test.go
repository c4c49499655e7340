package provenance

import (
	"bytes"
	"strings"
	"testing"
)

func TestRewriteKeepsEverythingElse(t *testing.T) {
	t.Parallel()
	in := "a: 1\r\n  image: \"x:1\"  # x:1 here\r\nlast: x:1"
	out, err := Rewrite([]byte(in), []Edit{{Line: 2, Column: 11, Old: "x:1", New: "x:1@d"}, {Line: 3, Column: 7, Old: "x:1", New: "y"}})
	if err != nil {
		t.Fatal(err)
	}
	if want := "a: 1\r\n  image: \"x:1@d\"  # x:1 here\r\nlast: y"; string(out) != want {
		t.Errorf("got %q, want %q", out, want)
	}
	// A column counted in characters (as YAML does) after a multi-byte rune.
	out, err = Rewrite([]byte("é: x:1\n"), []Edit{{Line: 1, Column: 4, Old: "x:1", New: "z"}})
	if err != nil || string(out) != "é: z\n" {
		t.Errorf("got %q, %v", out, err)
	}
	if _, err := Rewrite([]byte("a: b\n"), []Edit{{Line: 1, Column: 4, Old: "x:1", New: "z"}}); err == nil ||
		!strings.Contains(err.Error(), `line 1: "x:1" is not at column 4`) {
		t.Errorf("a misplaced edit gave %v", err)
	}
	if _, err := Rewrite([]byte("a\n"), []Edit{{Line: 9, Column: 1, Old: "a", New: "b"}}); err == nil {
		t.Error("an edit past the end was accepted")
	}
}

func TestWriteUnifiedDiff(t *testing.T) {
	t.Parallel()
	var lines []string
	for i := 1; i <= 20; i++ {
		lines = append(lines, "l"+fmtInt(i))
	}
	old := strings.Join(lines, "\n") + "\n"
	lines[1], lines[4], lines[18] = "L2", "L5", "L19"
	updated := strings.Join(lines, "\n") + "\n"
	var buf bytes.Buffer
	if err := WriteUnifiedDiff(&buf, "deploy/x.yaml", []byte(old), []byte(updated)); err != nil {
		t.Fatal(err)
	}
	want := `--- a/deploy/x.yaml
+++ b/deploy/x.yaml
@@ -1,8 +1,8 @@
 l1
-l2
+L2
 l3
 l4
-l5
+L5
 l6
 l7
 l8
@@ -16,5 +16,5 @@
 l16
 l17
 l18
-l19
+L19
 l20
`
	if buf.String() != want {
		t.Errorf("diff:\n%s\nwant:\n%s", buf.String(), want)
	}
	buf.Reset()
	if err := WriteUnifiedDiff(&buf, "same", []byte(old), []byte(old)); err != nil || buf.Len() != 0 {
		t.Errorf("no change printed %q, %v", buf.String(), err)
	}
}

func fmtInt(n int) string {
	const digits = "0123456789"
	if n < 10 {
		return digits[n : n+1]
	}
	return fmtInt(n/10) + digits[n%10:n%10+1]
}

func TestWriteUnifiedDiffInsertionsAndEnds(t *testing.T) {
	t.Parallel()
	tests := []struct{ name, old, new, want string }{
		{"insert", "a\nb\nc\nd\ne\n", "a\nb\nc\nX\nd\ne\n", "@@ -1,5 +1,6 @@\n a\n b\n c\n+X\n d\n e\n"},
		{"delete first", "a\nb\nc\nd\ne\nf\n", "b\nc\nd\ne\nf\n", "@@ -1,4 +1,3 @@\n-a\n b\n c\n d\n"},
		{"into empty", "", "a\n", "@@ -0,0 +1,1 @@\n+a\n"},
		{"no final newline", "a\nb", "a\nc", "@@ -1,2 +1,2 @@\n a\n-b\n\\ No newline at end of file\n+c\n\\ No newline at end of file\n"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			var buf bytes.Buffer
			if err := WriteUnifiedDiff(&buf, "f", []byte(tc.old), []byte(tc.new)); err != nil {
				t.Fatal(err)
			}
			if want := "--- a/f\n+++ b/f\n" + tc.want; buf.String() != want {
				t.Errorf("diff:\n%s\nwant:\n%s", buf.String(), want)
			}
		})
	}
}
