package config

import "time"

// Health configures the health probe loop.
type Health struct {
	// Interval is how often dependencies and backends are probed.
	// Default 10s.
	Interval time.Duration `yaml:"interval"`
	// Thresholds are the resource usages above which health warns.
	Thresholds Thresholds `yaml:"thresholds"`
}

// Thresholds are resource usage percentages, each in (0,100].
type Thresholds struct {
	// CPUPercent is the CPU usage above which health warns. Default 80.
	CPUPercent float64 `yaml:"cpu_percent"`
	// MemoryPercent is the memory usage above which health warns.
	// Default 85.
	MemoryPercent float64 `yaml:"memory_percent"`
	// DiskPercent is the disk usage (of the data folder) above which
	// health warns. Default 90.
	DiskPercent float64 `yaml:"disk_percent"`
}

// DefaultHealth returns the health section's defaults.
func DefaultHealth() Health {
	return Health{
		Interval:   10 * time.Second,
		Thresholds: Thresholds{CPUPercent: 80, MemoryPercent: 85, DiskPercent: 90},
	}
}

func (h *Health) validate(v *validator, path string) {
	v.positive(join(path, "interval"), h.Interval)
}

func (t *Thresholds) validate(v *validator, path string) {
	v.percent(join(path, "cpu_percent"), t.CPUPercent)
	v.percent(join(path, "memory_percent"), t.MemoryPercent)
	v.percent(join(path, "disk_percent"), t.DiskPercent)
}
