// Package hostcheck samples the host and the process for the health
// performance probe, through gopsutil. It lives apart from package health
// so that importing health does not pull in gopsutil:
//
//	health.Options{Performance: health.PerfOptions{Sampler: hostcheck.NewSampler("/var/lib/app")}}
package hostcheck

import (
	"context"
	"errors"
	"fmt"
	"math"
	"os"
	"runtime"
	"sync"

	"github.com/shirou/gopsutil/v4/cpu"
	"github.com/shirou/gopsutil/v4/disk"
	"github.com/shirou/gopsutil/v4/mem"
	"github.com/shirou/gopsutil/v4/process"

	"github.com/flywheel-stack/flywheel/health"
)

// NewSampler returns a health.Sampler that reads host CPU, memory and disk
// use and the process's RSS through gopsutil. CPU use is measured between
// consecutive calls (since boot on the first one). A host value it cannot
// read is NaN, and the error says why. An empty diskPath means "/".
func NewSampler(diskPath string) health.Sampler {
	if diskPath == "" {
		diskPath = "/"
	}
	var (
		mu       sync.Mutex
		lastBusy float64
		lastAll  float64
	)
	return func(ctx context.Context) (health.PerfSample, error) {
		s := health.PerfSample{CPUPercent: math.NaN(), MemoryPercent: math.NaN(), DiskPercent: math.NaN(),
			Goroutines: runtime.NumGoroutine()}
		var errs []error
		if t, err := cpu.TimesWithContext(ctx, false); err != nil || len(t) == 0 {
			errs = append(errs, fmt.Errorf("cpu: %v", err))
		} else {
			all, busy := cpuTotals(t[0])
			mu.Lock()
			if dAll := all - lastAll; dAll > 0 {
				s.CPUPercent = clampPercent(100 * (busy - lastBusy) / dAll)
			} else {
				s.CPUPercent = 0
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
