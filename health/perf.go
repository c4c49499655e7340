package health

import (
	"context"
	"errors"
	"fmt"
	"math"
	"os"
	"runtime"
	"strings"
	"sync"
	"time"

	"github.com/shirou/gopsutil/v4/cpu"
	"github.com/shirou/gopsutil/v4/disk"
	"github.com/shirou/gopsutil/v4/mem"
	"github.com/shirou/gopsutil/v4/process"
)

// Default performance thresholds, in percent.
const (
	DefaultCPUPercent    = 80
	DefaultMemoryPercent = 85
	DefaultDiskPercent   = 90
)

// PerfOptions configures the performance probe: a non-critical readiness
// check, left out of the score, that samples host CPU, memory and disk use,
// the process's RSS and its goroutines in the background. It warns above
// its thresholds and never fails.
type PerfOptions struct {
	// Disabled turns the probe off.
	Disabled bool
	// Name is the check's name; empty means "system".
	Name string
	// Interval is the sampling interval; zero means the checker's.
	Interval time.Duration
	// Thresholds above which the probe warns; zero fields take the
	// defaults.
	Thresholds Thresholds
	// DiskPath is the file system whose use is sampled; empty means "/".
	DiskPath string
	// Sampler takes one sample; nil means NewSystemSampler(DiskPath).
	Sampler Sampler
}

// Thresholds are the percentages of use above which the performance probe
// warns.
type Thresholds struct {
	CPUPercent    float64
	MemoryPercent float64
	DiskPercent   float64
}

// PerfSample is one sample of the host and the process.
type PerfSample struct {
	CPUPercent    float64 // host CPU busy since the previous sample
	MemoryPercent float64 // host memory in use
	DiskPercent   float64 // disk in use at the sampled path
	RSSBytes      uint64  // resident set size of this process
	Goroutines    int     // goroutines of this process
}

// Sampler takes one performance sample. It may return a partial sample with
// an error.
type Sampler func(ctx context.Context) (PerfSample, error)

// NewSystemSampler returns a Sampler that reads the host and the process
// through gopsutil. CPU use is measured between consecutive calls (since
// boot on the first one). An empty diskPath means "/".
func NewSystemSampler(diskPath string) Sampler {
	if diskPath == "" {
		diskPath = "/"
	}
	var (
		mu       sync.Mutex
		lastBusy float64
		lastAll  float64
	)
	return func(ctx context.Context) (PerfSample, error) {
		s := PerfSample{Goroutines: runtime.NumGoroutine()}
		var errs []error
		if t, err := cpu.TimesWithContext(ctx, false); err != nil || len(t) == 0 {
			errs = append(errs, fmt.Errorf("cpu: %v", err))
		} else {
			all, busy := cpuTotals(t[0])
			mu.Lock()
			if dAll := all - lastAll; dAll > 0 {
				s.CPUPercent = clampPercent(100 * (busy - lastBusy) / dAll)
			}
			lastAll, lastBusy = all, busy
			mu.Unlock()
		}
		if v, err := mem.VirtualMemoryWithContext(ctx); err != nil {
			errs = append(errs, fmt.Errorf("memory: %w", err))
		} else {
			s.MemoryPercent = v.UsedPercent
		}
		if u, err := disk.UsageWithContext(ctx, diskPath); err != nil {
			errs = append(errs, fmt.Errorf("disk %s: %w", diskPath, err))
		} else {
			s.DiskPercent = u.UsedPercent
		}
		if p, err := process.NewProcessWithContext(ctx, int32(os.Getpid())); err != nil {
			errs = append(errs, fmt.Errorf("process: %w", err))
		} else if m, err := p.MemoryInfoWithContext(ctx); err != nil {
			errs = append(errs, fmt.Errorf("process memory: %w", err))
		} else {
			s.RSSBytes = m.RSS
		}
		return s, errors.Join(errs...)
	}
}

// cpuTotals returns the total and busy CPU seconds of t; guest time is
// already counted in user time.
func cpuTotals(t cpu.TimesStat) (all, busy float64) {
	all = t.User + t.System + t.Idle + t.Nice + t.Iowait + t.Irq + t.Softirq + t.Steal
	return all, all - t.Idle - t.Iowait
}

func clampPercent(p float64) float64 { return min(100, max(0, p)) }

// perfCheck builds the performance probe's Check from o.
func perfCheck(o PerfOptions, interval time.Duration) Check {
	if o.Name == "" {
		o.Name = "system"
	}
	if o.Interval == 0 {
		o.Interval = interval
	}
	th := o.Thresholds
	if th.CPUPercent == 0 {
		th.CPUPercent = DefaultCPUPercent
	}
	if th.MemoryPercent == 0 {
		th.MemoryPercent = DefaultMemoryPercent
	}
	if th.DiskPercent == 0 {
		th.DiskPercent = DefaultDiskPercent
	}
	sample := o.Sampler
	if sample == nil {
		sample = NewSystemSampler(o.DiskPath)
	}
	return Check{
		Name:          o.Name,
		Func:          func(ctx context.Context) Result { return perfResult(ctx, sample, th) },
		Kind:          Readiness,
		ComponentType: "system",
		Interval:      o.Interval,
		NonCritical:   true,
		WarnOnly:      true,
		Weight:        -1,
	}
}

// perfResult takes a sample and grades it: warn when a use is above its
// threshold or the sample is incomplete, pass otherwise, never fail.
func perfResult(ctx context.Context, sample Sampler, th Thresholds) Result {
	s, err := sample(ctx)
	var warns []string
	grade := func(what string, v, limit float64) Measurement {
		m := Measurement{Component: what, Name: "utilization", Type: "system", Value: round2(v), Unit: "%", Status: StatusPass}
		if v > limit {
			m.Status = StatusWarn
			m.Output = fmt.Sprintf("%s use %.1f%% above %.0f%%", what, v, limit)
			warns = append(warns, m.Output)
		}
		return m
	}
	ms := []Measurement{
		grade("cpu", s.CPUPercent, th.CPUPercent),
		grade("memory", s.MemoryPercent, th.MemoryPercent),
		grade("disk", s.DiskPercent, th.DiskPercent),
		{Component: "process", Name: "rss", Type: "system", Value: s.RSSBytes, Unit: "bytes", Status: StatusPass},
		{Component: "process", Name: "goroutines", Type: "system", Value: s.Goroutines, Status: StatusPass},
	}
	if err != nil {
		warns = append(warns, "incomplete sample: "+err.Error())
	}
	if len(warns) == 0 {
		return Result{Status: StatusPass, Measurements: ms}
	}
	return Result{Status: StatusWarn, Output: strings.Join(warns, "; "), Measurements: ms}
}

func round2(v float64) float64 { return math.Round(v*100) / 100 }
