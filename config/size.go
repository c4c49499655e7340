package config

import (
	"errors"
	"fmt"
	"math/big"
	"strconv"
	"strings"

	"go.yaml.in/yaml/v3"
)

// ByteSize is a size in bytes. In YAML it is a plain integer (bytes) or a
// number with a unit: B, KB, MB, GB, TB (powers of 1000) or KiB, MiB, GiB,
// TiB (powers of 1024, also written Ki, Mi, Gi, Ti). Units are not case
// sensitive and may follow a space: 4MiB, 4 MiB, 1.5GiB, 512kb.
type ByteSize int64

// Size units.
const (
	Byte ByteSize = 1
	KB   ByteSize = 1000
	MB   ByteSize = 1000 * KB
	GB   ByteSize = 1000 * MB
	TB   ByteSize = 1000 * GB
	KiB  ByteSize = 1 << 10
	MiB  ByteSize = 1 << 20
	GiB  ByteSize = 1 << 30
	TiB  ByteSize = 1 << 40
)

// sizeUnit returns the multiplier of a lower-case unit.
func sizeUnit(unit string) (ByteSize, bool) {
	switch unit {
	case "", "b":
		return Byte, true
	case "kb":
		return KB, true
	case "mb":
		return MB, true
	case "gb":
		return GB, true
	case "tb":
		return TB, true
	case "kib", "ki":
		return KiB, true
	case "mib", "mi":
		return MiB, true
	case "gib", "gi":
		return GiB, true
	case "tib", "ti":
		return TiB, true
	}
	return 0, false
}

// ParseByteSize parses "4194304", "4MiB", "4 MiB", "1.5GiB" or "512KB". The
// result must be a whole, non-negative number of bytes that fits an int64.
func ParseByteSize(s string) (ByteSize, error) {
	t := strings.TrimSpace(s)
	end := 0
	for end < len(t) && (t[end] >= '0' && t[end] <= '9' || t[end] == '.') {
		end++
	}
	num, unit := t[:end], strings.TrimSpace(t[end:])
	if strings.HasPrefix(t, "-") {
		return 0, fmt.Errorf("invalid size %q: must not be negative", s)
	}
	if num == "" || strings.Count(num, ".") > 1 || num == "." {
		return 0, fmt.Errorf("invalid size %q: want a number of bytes or a number with a unit, like 4MiB", s)
	}
	mult, ok := sizeUnit(strings.ToLower(unit))
	if !ok {
		return 0, fmt.Errorf("invalid size %q: unknown unit %q (want B, KB, MB, GB, TB, KiB, MiB, GiB or TiB)", s, unit)
	}
	r, ok := new(big.Rat).SetString(num)
	if !ok {
		return 0, fmt.Errorf("invalid size %q: want a number of bytes or a number with a unit, like 4MiB", s)
	}
	r.Mul(r, new(big.Rat).SetInt64(int64(mult)))
	if !r.IsInt() {
		return 0, fmt.Errorf("invalid size %q: not a whole number of bytes", s)
	}
	if !r.Num().IsInt64() {
		return 0, fmt.Errorf("invalid size %q: too large", s)
	}
	return ByteSize(r.Num().Int64()), nil
}

// String formats the size with the largest unit that divides it exactly,
// binary units first: 4MiB, 5MB, 1023B.
func (s ByteSize) String() string {
	if s == 0 {
		return "0B"
	}
	for _, u := range []struct {
		size ByteSize
		name string
	}{{TiB, "TiB"}, {GiB, "GiB"}, {MiB, "MiB"}, {KiB, "KiB"}, {TB, "TB"}, {GB, "GB"}, {MB, "MB"}, {KB, "KB"}} {
		if s%u.size == 0 {
			return strconv.FormatInt(int64(s/u.size), 10) + u.name
		}
	}
	return strconv.FormatInt(int64(s), 10) + "B"
}

// Bytes returns the size as an int64 number of bytes.
func (s ByteSize) Bytes() int64 { return int64(s) }

// UnmarshalText parses the size with ParseByteSize.
func (s *ByteSize) UnmarshalText(text []byte) error {
	v, err := ParseByteSize(string(text))
	if err != nil {
		return err
	}
	*s = v
	return nil
}

// MarshalText formats the size with String.
func (s ByteSize) MarshalText() ([]byte, error) {
	if s < 0 {
		return nil, errors.New("negative size")
	}
	return []byte(s.String()), nil
}

// UnmarshalYAML reads an integer or a string with ParseByteSize.
func (s *ByteSize) UnmarshalYAML(n *yaml.Node) error {
	if n.Kind != yaml.ScalarNode {
		return typeError(`a size like 4MiB`, n)
	}
	switch n.ShortTag() {
	case "!!int", "!!float", "!!str":
		return s.UnmarshalText([]byte(n.Value))
	}
	return typeError(`a size like 4MiB`, n)
}

// MarshalYAML writes the size with String.
func (s ByteSize) MarshalYAML() (any, error) {
	if s < 0 {
		return nil, errors.New("negative size")
	}
	return s.String(), nil
}
