package jsonstr

import (
	"encoding/json"
	"strings"
	"testing"
)

// TestAppend checks the encoder against encoding/json.
func TestAppend(t *testing.T) {
	t.Parallel()
	for _, s := range []string{"", "plain", `q"b\s/`, "\x00\x01\x1f\x7f\n\r\t\b\f", "é😀\u2028\u2029\ufffd",
		"bad \xff\xc3 utf8 \xed\xa0\x80", "<tag>&amp;"} {
		var buf strings.Builder
		enc := json.NewEncoder(&buf)
		enc.SetEscapeHTML(false)
		if err := enc.Encode(s); err != nil {
			t.Fatal(err)
		}
		want := strings.TrimSuffix(buf.String(), "\n")
		if got := string(Append(nil, s)); got != want {
			t.Errorf("Append(%q) = %s, want %s", s, got, want)
		}
	}
}
