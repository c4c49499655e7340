package config

import (
	"reflect"
	"testing"
)

func TestParseStatusRanges(t *testing.T) {
	t.Parallel()
	tests := []struct {
		in   string
		want StatusRanges
		str  string
	}{
		{"200", StatusRanges{{200, 200}}, "200"},
		{"200-399", StatusRanges{{200, 399}}, "200-399"},
		{"2xx", StatusRanges{{200, 299}}, "200-299"},
		{"2XX, 304", StatusRanges{{200, 299}, {304, 304}}, "200-299,304"},
		{"200,204,300-399", StatusRanges{{200, 200}, {204, 204}, {300, 399}}, "200,204,300-399"},
		{" 100 - 101 ", StatusRanges{{100, 101}}, "100-101"},
	}
	for _, tt := range tests {
		got, err := ParseStatusRanges(tt.in)
		if err != nil || !reflect.DeepEqual(got, tt.want) {
			t.Errorf("ParseStatusRanges(%q) = %v, %v; want %v", tt.in, got, err, tt.want)
			continue
		}
		if got.String() != tt.str {
			t.Errorf("String() = %q, want %q", got.String(), tt.str)
		}
	}
	for _, in := range []string{"", "abc", "99", "600", "300-200", "6xx", "200,", "2x"} {
		if got, err := ParseStatusRanges(in); err == nil {
			t.Errorf("ParseStatusRanges(%q) = %v, want an error", in, got)
		}
	}
}

func TestStatusRangesContains(t *testing.T) {
	t.Parallel()
	s := StatusRanges{{200, 299}, {304, 304}}
	for code, want := range map[int]bool{199: false, 200: true, 250: true, 299: true, 300: false, 304: true, 404: false} {
		if got := s.Contains(code); got != want {
			t.Errorf("Contains(%d) = %v, want %v", code, got, want)
		}
	}
}

func TestExpectedStatusYAML(t *testing.T) {
	t.Parallel()
	for src, want := range map[string]string{
		"200":            "200",
		"'200-299'":      "200-299",
		"[200, '3xx']":   "200,300-399",
		"\"200,204\"":    "200,204",
		"[200, 201-202]": "200,201-202",
	} {
		cfg, err := Parse("f.yaml", []byte("dependencies:\n  - {name: w, kind: http, url: 'http://w', expected_status: "+src+"}\n"))
		if err != nil {
			t.Errorf("expected_status %s: %v", src, err)
			continue
		}
		if got := cfg.Dependencies[0].ExpectedStatus.String(); got != want {
			t.Errorf("expected_status %s = %s, want %s", src, got, want)
		}
	}
	_, err := Parse("f.yaml", []byte("dependencies:\n  - {name: w, kind: http, url: 'http://w', expected_status: {a: 1}}\n"))
	want := `f.yaml:2: dependencies[0].expected_status: expected a status like 200, "200-399" or "2xx", got a mapping`
	if err == nil || err.Error() != want {
		t.Errorf("expected_status mapping: %v, want %s", err, want)
	}
}
