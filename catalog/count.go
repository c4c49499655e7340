package catalog

import (
	"fmt"
	"math"
	"strconv"
	"strings"

	"go.yaml.in/yaml/v3"
)

// Count is a parameter count. In YAML it is an integer or a number with a
// K, M, B or T suffix ("8.03B", "137M"), the way model cards write it.
type Count uint64

// ParseCount parses "8030000000", "8.03B", "137M", "1.5K" or "1T".
func ParseCount(s string) (Count, error) {
	t := strings.TrimSpace(s)
	mult := 1.0
	if t != "" {
		switch strings.ToUpper(t[len(t)-1:]) {
		case "K":
			mult = 1e3
		case "M":
			mult = 1e6
		case "B":
			mult = 1e9
		case "T":
			mult = 1e12
		}
		if mult != 1 {
			t = strings.TrimSpace(t[:len(t)-1])
		}
	}
	v, err := strconv.ParseFloat(t, 64)
	if err != nil || v < 0 || math.IsInf(v, 0) || v*mult > math.MaxUint64/2 {
		return 0, fmt.Errorf("invalid count %q: want a number like 8030000000 or 8.03B", s)
	}
	return Count(math.Round(v * mult)), nil
}

// UnmarshalYAML reads an integer or a suffixed number.
func (c *Count) UnmarshalYAML(n *yaml.Node) error {
	if n.Kind != yaml.ScalarNode {
		return fmt.Errorf("line %d: want a count like 8.03B", n.Line)
	}
	v, err := ParseCount(n.Value)
	if err != nil {
		return fmt.Errorf("line %d: %w", n.Line, err)
	}
	*c = v
	return nil
}

// String formats the count with a suffix: "8.03B", "137M".
func (c Count) String() string {
	f := float64(c)
	switch {
	case f >= 1e12:
		return trimFloat(f/1e12) + "T"
	case f >= 1e9:
		return trimFloat(f/1e9) + "B"
	case f >= 1e6:
		return trimFloat(f/1e6) + "M"
	}
	return strconv.FormatUint(uint64(c), 10)
}

func trimFloat(f float64) string { return strconv.FormatFloat(math.Round(f*100)/100, 'f', -1, 64) }
