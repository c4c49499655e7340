package catalog

import (
	"context"
	"errors"
	"math"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// usageRunner answers one command line from a testdata file, or fails with
// err; any other program is not installed.
type usageRunner struct {
	cmd  string // "nvidia-smi --query-gpu=... --format=..."
	file string
	err  error
}

func (r usageRunner) Run(_ context.Context, name string, args ...string) ([]byte, error) {
	if got := name + " " + strings.Join(args, " "); got != r.cmd {
		if !strings.HasPrefix(r.cmd, name+" ") {
			return nil, ErrToolNotFound
		}
		return nil, errors.New("unexpected command line: " + got)
	}
	if r.err != nil {
		return nil, r.err
	}
	return os.ReadFile(filepath.Join("testdata", r.file))
}

const (
	nvidiaUsageCmd = "nvidia-smi --query-gpu=index,uuid,name,utilization.gpu,memory.used,memory.total --format=csv,noheader,nounits"
	rocmUsageCmd   = "rocm-smi --showuse --showmeminfo vram --showproductname --json"
)

// sameUsage compares two readings, NaN equal to NaN.
func sameUsage(a, b GPUUsage) bool {
	if math.IsNaN(a.Utilization) != math.IsNaN(b.Utilization) {
		return false
	}
	if math.IsNaN(a.Utilization) {
		a.Utilization, b.Utilization = 0, 0
	}
	return a == b
}

func TestSampleGPUs(t *testing.T) {
	t.Parallel()
	nan := math.NaN()
	const mib = 1 << 20
	tests := []struct {
		name   string
		vendor Vendor
		runner usageRunner
		want   []GPUUsage
	}{
		{"nvidia two GPUs", VendorNVIDIA, usageRunner{cmd: nvidiaUsageCmd, file: "nvidia-smi/usage-two-gpu.csv"}, []GPUUsage{
			{Index: 0, Vendor: VendorNVIDIA, Name: "NVIDIA A100-SXM4-80GB", UUID: "GPU-1f6e2c8a-3b4d-5e6f-7a8b-9c0d1e2f3a4b",
				Utilization: 0.87, MemoryUsed: 71234 * mib, MemoryTotal: 81920 * mib},
			{Index: 1, Vendor: VendorNVIDIA, Name: "NVIDIA A100-SXM4-80GB", UUID: "GPU-2a7f3d9b-4c5e-6f70-8b9c-0d1e2f3a4b5c",
				Utilization: 0, MemoryUsed: 4 * mib, MemoryTotal: 81920 * mib},
		}},
		// A GPU in MIG mode reports no utilisation; one that shares system
		// memory reports no memory.
		{"nvidia unknown values", VendorNVIDIA, usageRunner{cmd: nvidiaUsageCmd, file: "nvidia-smi/usage-unknown.csv"}, []GPUUsage{
			{Index: 0, Vendor: VendorNVIDIA, Name: "NVIDIA H100 80GB HBM3", UUID: "GPU-9a1b2c3d-4e5f-6a7b-8c9d-0e1f2a3b4c5d",
				Utilization: nan, MemoryUsed: 30210 * mib, MemoryTotal: 81559 * mib},
			{Index: 1, Vendor: VendorNVIDIA, Name: "NVIDIA GB10", UUID: "GPU-6b2c8e1f-0a3d-4c5b-9e7f-1a2b3c4d5e6f",
				Utilization: 0.12},
		}},
		{"amd two GPUs", VendorAMD, usageRunner{cmd: rocmUsageCmd, file: "rocm-smi/usage-two-gpu.json"}, []GPUUsage{
			{Index: 0, Vendor: VendorAMD, Name: "Navi 31 [Radeon RX 7900 XTX]", Utilization: 0.94,
				MemoryUsed: 21474836480, MemoryTotal: 25753026560},
			{Index: 1, Vendor: VendorAMD, Name: "Navi 31 [Radeon RX 7900 XTX]", Utilization: nan,
				MemoryUsed: 29360128, MemoryTotal: 25753026560},
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			got, found, err := Detector{Runner: tt.runner}.SampleGPUs(context.Background(), tt.vendor)
			if err != nil || !found {
				t.Fatalf("SampleGPUs: found %v, err %v", found, err)
			}
			if len(got) != len(tt.want) {
				t.Fatalf("got %d GPUs %+v, want %d", len(got), got, len(tt.want))
			}
			for i := range got {
				if !sameUsage(got[i], tt.want[i]) {
					t.Errorf("GPU %d =\n %+v, want\n %+v", i, got[i], tt.want[i])
				}
			}
		})
	}
}

func TestSampleGPUsMissingFailingAndBadTools(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	if _, found, err := (Detector{Runner: usageRunner{cmd: "other"}}).SampleGPUs(ctx, VendorNVIDIA); found || err != nil {
		t.Errorf("missing nvidia-smi: found %v, err %v; want not found and no error", found, err)
	}
	if _, found, err := (Detector{Runner: usageRunner{cmd: "other"}}).SampleGPUs(ctx, VendorIntel); found || err != nil {
		t.Errorf("vendor without a tool: found %v, err %v; want not found and no error", found, err)
	}
	driver := errors.New("NVIDIA-SMI has failed because it couldn't communicate with the NVIDIA driver")
	_, found, err := Detector{Runner: usageRunner{cmd: nvidiaUsageCmd, err: driver}}.SampleGPUs(ctx, VendorNVIDIA)
	if !found || !errors.Is(err, driver) {
		t.Errorf("failing nvidia-smi: found %v, err %v; want found and the tool's error", found, err)
	}
	// Detection's query has 8 fields: not the usage query's output.
	_, found, err = Detector{Runner: usageRunner{cmd: nvidiaUsageCmd, file: "nvidia-smi/one-gpu.csv"}}.SampleGPUs(ctx, VendorNVIDIA)
	if !found || err == nil || !strings.Contains(err.Error(), "nvidia-smi: parse: want 6 fields, got 8") {
		t.Errorf("wrong output: found %v, err %v; want a parse error naming the tool", found, err)
	}
	_, found, err = Detector{Runner: usageRunner{cmd: rocmUsageCmd, file: "nvidia-smi/one-gpu.csv"}}.SampleGPUs(ctx, VendorAMD)
	if !found || err == nil || !strings.HasPrefix(err.Error(), "rocm-smi: parse:") {
		t.Errorf("rocm-smi not JSON: found %v, err %v; want a parse error naming the tool", found, err)
	}
}

func TestGPUUsageMemoryRatio(t *testing.T) {
	t.Parallel()
	if r := (GPUUsage{MemoryUsed: 3 << 30, MemoryTotal: 4 << 30}).MemoryRatio(); r != 0.75 {
		t.Errorf("ratio = %v, want 0.75", r)
	}
	if r := (GPUUsage{MemoryUsed: 3 << 30}).MemoryRatio(); !math.IsNaN(r) {
		t.Errorf("ratio without a total = %v, want NaN", r)
	}
}
