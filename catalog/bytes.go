package catalog

import (
	"encoding/json"
	"fmt"
	"math"

	"github.com/flywheel-stack/flywheel/config"
)

// Bytes is a size in bytes. In JSON it is written as an integer and read as
// an integer or a string with a unit ("24GB", "24 GiB", "512MiB"), so that a
// hardware profile can be written by hand for planning.
type Bytes uint64

// UnmarshalJSON accepts a number of bytes or a size string.
func (b *Bytes) UnmarshalJSON(data []byte) error {
	var n json.Number
	if err := json.Unmarshal(data, &n); err == nil {
		f, err := n.Float64()
		if err != nil || f < 0 || f > math.MaxUint64 {
			return fmt.Errorf("invalid size %s", data)
		}
		*b = Bytes(f)
		return nil
	}
	var s string
	if err := json.Unmarshal(data, &s); err != nil {
		return fmt.Errorf("invalid size %s: want a number of bytes or a string like \"24GB\"", data)
	}
	v, err := config.ParseByteSize(s)
	if err != nil {
		return err
	}
	*b = Bytes(v)
	return nil
}

// GB returns the size in decimal gigabytes (10^9 bytes), the unit GPU vendors
// sell memory in.
func (b Bytes) GB() float64 { return float64(b) / 1e9 }

// String formats the size in decimal gigabytes with one decimal, or in
// megabytes below one gigabyte: "9.1 GB", "420 MB".
func (b Bytes) String() string { return formatBytes(uint64(b)) }

func formatBytes(n uint64) string {
	switch {
	case n >= 1e9:
		return fmt.Sprintf("%.1f GB", float64(n)/1e9)
	case n >= 1e6:
		return fmt.Sprintf("%.0f MB", float64(n)/1e6)
	default:
		return fmt.Sprintf("%d B", n)
	}
}
