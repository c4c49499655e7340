package health

import (
	"context"
	"errors"
	"math"
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
		{"a value not read is not graded", PerfSample{CPUPercent: 10, MemoryPercent: 20, DiskPercent: math.NaN()},
			errors.New("disk /nope: no such file"), def, StatusWarn, "incomplete sample: disk /nope: no such file"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			r := perfResult(t.Context(), func(context.Context) (PerfSample, error) { return tt.sample, tt.err }, tt.th)
			if r.Status != tt.want || r.Output != tt.wantOutput {
				t.Errorf("got %q %q, want %q %q", r.Status, r.Output, tt.want, tt.wantOutput)
			}
			want := 5
			if math.IsNaN(tt.sample.DiskPercent) {
				want = 4
			}
			if len(r.Measurements) != want {
				t.Errorf("%d measurements, want %d", len(r.Measurements), want)
			}
			for _, m := range r.Measurements {
				if v, ok := m.Value.(float64); ok && math.IsNaN(v) {
					t.Errorf("measurement %s:%s is NaN, which /healthz cannot encode", m.Component, m.Name)
				}
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

func TestPerfSampleKept(t *testing.T) {
	t.Parallel()
	c, _ := startChecker(t, Options{Performance: PerfOptions{
		Sampler: func(context.Context) (PerfSample, error) {
			return PerfSample{CPUPercent: 12.5, MemoryPercent: 40, DiskPercent: 70, RSSBytes: 1 << 20, Goroutines: 9}, nil
		},
	}})
	waitRuns(t, c, "system", 1)
	s, ok := c.PerfSample()
	if !ok || s.CPUPercent != 12.5 || s.MemoryPercent != 40 || s.DiskPercent != 70 {
		t.Errorf("PerfSample() = %+v, %v", s, ok)
	}
}

func TestPerfProbeNeedsASampler(t *testing.T) {
	t.Parallel()
	c, err := New(Options{Listener: quiet})
	if err != nil {
		t.Fatal(err)
	}
	if _, ok := c.Result("system"); ok {
		t.Error("without a Sampler there must be no performance probe (package health reads no host values itself)")
	}
	if _, ok := c.PerfSample(); ok {
		t.Error("PerfSample reports a sample without a probe")
	}
}
