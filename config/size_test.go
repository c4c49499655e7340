package config

import (
	"strings"
	"testing"

	"go.yaml.in/yaml/v3"
)

func TestParseByteSize(t *testing.T) {
	t.Parallel()
	tests := []struct {
		in   string
		want ByteSize
	}{
		{"0", 0},
		{"4194304", 4 * MiB},
		{"512B", 512},
		{"1KB", 1000},
		{"1kb", 1000},
		{"4MB", 4_000_000},
		{"2GB", 2_000_000_000},
		{"1TB", 1_000_000_000_000},
		{"1KiB", 1024},
		{"4MiB", 4 << 20},
		{"4 MiB", 4 << 20},
		{" 4mib ", 4 << 20},
		{"4Mi", 4 << 20},
		{"1GiB", 1 << 30},
		{"1.5GiB", 3 << 29},
		{"0.5KiB", 512},
		{"2TiB", 2 << 40},
		{"8388607TiB", 8388607 << 40},
	}
	for _, tt := range tests {
		got, err := ParseByteSize(tt.in)
		if err != nil || got != tt.want {
			t.Errorf("ParseByteSize(%q) = %d, %v; want %d", tt.in, got, err, tt.want)
		}
	}
}

func TestParseByteSizeErrors(t *testing.T) {
	t.Parallel()
	tests := []struct{ in, want string }{
		{"", `invalid size "": want a number of bytes or a number with a unit, like 4MiB`},
		{"MiB", `invalid size "MiB": want a number of bytes or a number with a unit, like 4MiB`},
		{"-4MiB", `invalid size "-4MiB": must not be negative`},
		{"4 XB", `invalid size "4 XB": unknown unit "XB" (want B, KB, MB, GB, TB, KiB, MiB, GiB or TiB)`},
		{"4M", `invalid size "4M": unknown unit "M" (want B, KB, MB, GB, TB, KiB, MiB, GiB or TiB)`},
		{"1.2.3KB", `invalid size "1.2.3KB": want a number of bytes or a number with a unit, like 4MiB`},
		{"1.1KiB", `invalid size "1.1KiB": not a whole number of bytes`},
		{"8388608TiB", `invalid size "8388608TiB": too large`},
		{"0x10", `invalid size "0x10": unknown unit "x10" (want B, KB, MB, GB, TB, KiB, MiB, GiB or TiB)`},
	}
	for _, tt := range tests {
		_, err := ParseByteSize(tt.in)
		if err == nil || err.Error() != tt.want {
			t.Errorf("ParseByteSize(%q) error = %v, want %s", tt.in, err, tt.want)
		}
	}
}

func TestByteSizeString(t *testing.T) {
	t.Parallel()
	tests := []struct {
		in   ByteSize
		want string
	}{
		{0, "0B"},
		{1, "1B"},
		{1023, "1023B"},
		{1024, "1KiB"},
		{1000, "1KB"},
		{4 * MiB, "4MiB"},
		{5 * MB, "5MB"},
		{3 << 29, "1536MiB"},
		{2 * TiB, "2TiB"},
		{1500, "1500B"},
	}
	for _, tt := range tests {
		if got := tt.in.String(); got != tt.want {
			t.Errorf("ByteSize(%d).String() = %q, want %q", int64(tt.in), got, tt.want)
		}
		back, err := ParseByteSize(tt.in.String())
		if err != nil || back != tt.in {
			t.Errorf("ParseByteSize(%q) = %d, %v; want it back", tt.in.String(), back, err)
		}
	}
}

func TestByteSizeYAML(t *testing.T) {
	t.Parallel()
	for src, want := range map[string]ByteSize{
		"server: {max_body_bytes: 1048576}\n": MiB,
		"server: {max_body_bytes: 16MiB}\n":   16 * MiB,
		"server: {max_body_bytes: '2 GB'}\n":  2 * GB,
	} {
		cfg, err := Parse("f.yaml", []byte(src))
		if err != nil || cfg.Server.MaxBodyBytes != want {
			t.Errorf("Parse(%q) max_body_bytes = %v, %v; want %v", src, cfg.Server.MaxBodyBytes, err, want)
		}
	}
	// The type also works with the yaml package and text codecs on its own.
	var s struct {
		Size ByteSize `yaml:"size"`
	}
	if err := yaml.Unmarshal([]byte("size: 3KiB"), &s); err != nil || s.Size != 3*KiB {
		t.Errorf("yaml.Unmarshal = %v, %v", s.Size, err)
	}
	out, err := yaml.Marshal(s)
	if err != nil || strings.TrimSpace(string(out)) != "size: 3KiB" {
		t.Errorf("yaml.Marshal = %q, %v", out, err)
	}
	var b ByteSize
	if err := b.UnmarshalText([]byte("2MiB")); err != nil || b != 2*MiB || b.Bytes() != 2<<20 {
		t.Errorf("UnmarshalText = %v, %v", b, err)
	}
	if text, err := b.MarshalText(); err != nil || string(text) != "2MiB" {
		t.Errorf("MarshalText = %q, %v", text, err)
	}
	if _, err := ByteSize(-1).MarshalText(); err == nil {
		t.Errorf("MarshalText(-1) succeeded")
	}
}

func TestDurations(t *testing.T) {
	t.Parallel()
	tests := []struct {
		in   string
		want string
	}{
		{"30s", "30s"},
		{"1m30s", "1m30s"},
		{"250ms", "250ms"},
		{"1h", "1h0m0s"},
		{"0", "0s"},
	}
	for _, tt := range tests {
		cfg, err := Parse("f.yaml", []byte("store: {retention: "+tt.in+"}\n"))
		if err != nil {
			t.Errorf("retention %s: %v", tt.in, err)
			continue
		}
		if got := cfg.Store.Retention.String(); got != tt.want {
			t.Errorf("retention %s = %s, want %s", tt.in, got, tt.want)
		}
	}
	for _, in := range []string{"30", "1.5", "'45'"} {
		_, err := Parse("f.yaml", []byte("store: {retention: "+in+"}\n"))
		if err == nil || !strings.Contains(err.Error(), "has no unit; add one") {
			t.Errorf("retention %s: error = %v, want one asking for a unit", in, err)
		}
	}
}
