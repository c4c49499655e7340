package hostcheck

import (
	"math"
	"path/filepath"
	"strings"
	"testing"
)

func TestSampler(t *testing.T) {
	t.Parallel()
	sample := NewSampler("")
	for i := range 2 { // the second sample measures CPU between the two
		s, err := sample(t.Context())
		if err != nil {
			t.Fatalf("sample %d: %v", i, err)
		}
		for what, v := range map[string]float64{"cpu": s.CPUPercent, "memory": s.MemoryPercent, "disk": s.DiskPercent} {
			if math.IsNaN(v) || v < 0 || v > 100 {
				t.Errorf("sample %d: %s %v%% out of range", i, what, v)
			}
		}
		if s.MemoryPercent == 0 || s.DiskPercent == 0 || s.RSSBytes == 0 || s.Goroutines == 0 {
			t.Errorf("sample %d looks empty: %+v", i, s)
		}
	}
}

// A value that cannot be read is NaN, not a made-up 0%, so that neither the
// probe nor the metrics report it.
func TestSamplerUnreadableDisk(t *testing.T) {
	t.Parallel()
	missing := filepath.Join(t.TempDir(), "no-such-dir")
	s, err := NewSampler(missing)(t.Context())
	if err == nil || !strings.Contains(err.Error(), "disk "+missing) {
		t.Fatalf("err = %v, want the disk path named", err)
	}
	if !math.IsNaN(s.DiskPercent) {
		t.Errorf("disk = %v, want NaN", s.DiskPercent)
	}
	if math.IsNaN(s.MemoryPercent) || s.MemoryPercent == 0 {
		t.Errorf("memory = %v: the readable values must still be there", s.MemoryPercent)
	}
}
