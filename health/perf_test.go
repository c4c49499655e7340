package health

import (
	"context"
	"errors"
	"strings"
	"testing"
)

func TestPerfResult(t *testing.T) {
	t.Parallel()
	def := Thresholds{CPUPercent: DefaultCPUPercent, MemoryPercent: DefaultMemoryPercent, DiskPercent: DefaultDiskPercent}
	tests := []struct {
		name       string
		sample     PerfSample
		err        error
		th         Thresholds
		want       Status
		wantOutput string
	}{
		{"under thresholds", PerfSample{CPUPercent: 80, MemoryPercent: 85, DiskPercent: 90}, nil, def, StatusPass, ""},
		{"cpu high", PerfSample{CPUPercent: 80.5}, nil, def, StatusWarn, "cpu use 80.5% above 80%"},
		{"memory and disk high", PerfSample{MemoryPercent: 99, DiskPercent: 95}, nil, def, StatusWarn,
			"memory use 99.0% above 85%; disk use 95.0% above 90%"},
		{"custom threshold", PerfSample{CPUPercent: 60}, nil, Thresholds{CPUPercent: 50, MemoryPercent: 85, DiskPercent: 90}, StatusWarn, "cpu use 60.0% above 50%"},
		{"sampling error warns, never fails", PerfSample{}, errors.New("disk /nope: no such file"), def, StatusWarn,
			"incomplete sample: disk /nope: no such file"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			r := perfResult(t.Context(), func(context.Context) (PerfSample, error) { return tt.sample, tt.err }, tt.th)
			if r.Status != tt.want || r.Output != tt.wantOutput {
				t.Errorf("got %q %q, want %q %q", r.Status, r.Output, tt.want, tt.wantOutput)
			}
			if len(r.Measurements) != 5 {
				t.Errorf("%d measurements, want 5", len(r.Measurements))
			}
		})
	}
}

func TestPerfProbeNeverFails(t *testing.T) {
	t.Parallel()
	c, _ := startChecker(t, Options{Performance: PerfOptions{
		Name:    "perf",
		Sampler: func(context.Context) (PerfSample, error) { panic("gopsutil exploded") },
	}}, okCheck("db"))
	waitRuns(t, c, "perf", 1)
	waitRuns(t, c, "db", 1)
	r, _ := c.Result("perf")
	if r.Status != StatusWarn || !strings.Contains(r.Output, "gopsutil exploded") {
		t.Errorf("perf = %q %q, want warn", r.Status, r.Output)
	}
	if got := c.Status(Readiness); got != StatusWarn {
		t.Errorf("readiness %q, want warn", got)
	}
	if got := c.Score(); got != 100 {
		t.Errorf("score %v: the performance probe must stay out of the score", got)
	}
}

func TestSystemSampler(t *testing.T) {
	t.Parallel()
	sample := NewSystemSampler("")
	for i := range 2 { // the second sample measures CPU between the two
		s, err := sample(t.Context())
		if err != nil {
			t.Fatalf("sample %d: %v", i, err)
		}
		for what, v := range map[string]float64{"cpu": s.CPUPercent, "memory": s.MemoryPercent, "disk": s.DiskPercent} {
			if v < 0 || v > 100 {
				t.Errorf("sample %d: %s %v%% out of range", i, what, v)
			}
		}
		if s.MemoryPercent == 0 || s.DiskPercent == 0 || s.RSSBytes == 0 || s.Goroutines == 0 {
			t.Errorf("sample %d looks empty: %+v", i, s)
		}
	}
}
