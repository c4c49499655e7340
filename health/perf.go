package health

import (
	"context"
	"fmt"
	"math"
	"strings"
	"time"
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
// its thresholds and never fails. It runs when Sampler is set:
// hostcheck.NewSampler reads the host through gopsutil, which this package
// does not import.
type PerfOptions struct {
	// Disabled turns the probe off even when Sampler is set.
	Disabled bool
	// Name is the check's name; empty means "system".
	Name string
	// Interval is the sampling interval; zero means the checker's.
	Interval time.Duration
	// Thresholds above which the probe warns; zero fields take the
	// defaults.
	Thresholds Thresholds
	// Sampler takes one sample; nil turns the probe off.
	Sampler Sampler
}

// Thresholds are the percentages of use above which the performance probe
// warns.
type Thresholds struct {
	CPUPercent    float64
	MemoryPercent float64
	DiskPercent   float64
}

// PerfSample is one sample of the host and the process. A host value that
// could not be read is NaN: it is neither graded nor exported.
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

// perfCheck builds the performance probe's Check from o; keep is given
// every sample.
func perfCheck(o PerfOptions, interval time.Duration, keep func(PerfSample)) Check {
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
	sample := func(ctx context.Context) (PerfSample, error) {
		s, err := o.Sampler(ctx)
		keep(s)
		return s, err
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
	ms := make([]Measurement, 0, 5)
	grade := func(what string, v, limit float64) {
		if math.IsNaN(v) {
			return // not read: the error says why
		}
		m := Measurement{Component: what, Name: "utilization", Type: "system", Value: round2(v), Unit: "%", Status: StatusPass}
		if v > limit {
			m.Status = StatusWarn
			m.Output = fmt.Sprintf("%s use %.1f%% above %.0f%%", what, v, limit)
			warns = append(warns, m.Output)
		}
		ms = append(ms, m)
	}
	grade("cpu", s.CPUPercent, th.CPUPercent)
	grade("memory", s.MemoryPercent, th.MemoryPercent)
	grade("disk", s.DiskPercent, th.DiskPercent)
	ms = append(ms,
		Measurement{Component: "process", Name: "rss", Type: "system", Value: s.RSSBytes, Unit: "bytes", Status: StatusPass},
		Measurement{Component: "process", Name: "goroutines", Type: "system", Value: s.Goroutines, Status: StatusPass})
	if err != nil {
		warns = append(warns, "incomplete sample: "+err.Error())
	}
	if len(warns) == 0 {
		return Result{Status: StatusPass, Measurements: ms}
	}
	return Result{Status: StatusWarn, Output: strings.Join(warns, "; "), Measurements: ms}
}

func round2(v float64) float64 { return math.Round(v*100) / 100 }
