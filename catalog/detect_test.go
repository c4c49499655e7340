package catalog

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"testing/fstest"
	"time"
)

// fixtureRunner answers nvidia-smi and rocm-smi from testdata files; a tool
// without a file is not installed.
type fixtureRunner struct {
	t     *testing.T
	files map[string]string // "nvidia-smi --query-gpu", "nvidia-smi -L", "rocm-smi"
	calls []string
}

func (f *fixtureRunner) Run(_ context.Context, name string, args ...string) ([]byte, error) {
	key := name
	if len(args) > 0 && name == "nvidia-smi" {
		key += " " + strings.SplitN(args[0], "=", 2)[0]
	}
	f.calls = append(f.calls, name+" "+strings.Join(args, " "))
	file, ok := f.files[key]
	if !ok {
		return nil, ErrToolNotFound
	}
	data, err := os.ReadFile(filepath.Join("testdata", file))
	if err != nil {
		f.t.Fatal(err)
	}
	return data, nil
}

func detectFixture(t *testing.T, host string, tools map[string]string) (Hardware, *fixtureRunner) {
	t.Helper()
	r := &fixtureRunner{t: t, files: tools}
	d := Detector{Runner: r, GOOS: "linux", GOARCH: "amd64"}
	if host != "" {
		d.FS = os.DirFS(filepath.Join("testdata", "hosts", host))
	} else {
		d.FS = fstest.MapFS{}
	}
	h, err := d.Detect(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	return h, r
}

func TestDetectNvidiaOneGPU(t *testing.T) {
	t.Parallel()
	h, r := detectFixture(t, "cpu-only", map[string]string{"nvidia-smi --query-gpu": "nvidia-smi/one-gpu.csv"})
	if len(h.GPUs) != 1 {
		t.Fatalf("GPUs = %+v, want one", h.GPUs)
	}
	g := h.GPUs[0]
	want := GPU{Index: 0, Vendor: VendorNVIDIA, Name: "NVIDIA GeForce RTX 4090", UUID: "GPU-5d1e3b5a-9c2e-7f41-8b0d-2a6c3e9f1d47",
		VRAMTotal: 24564 << 20, VRAMFree: 23918 << 20, Driver: "550.54.15", ComputeCapability: "8.9",
		MemoryBandwidthGBps: 1008, BandwidthSource: "specification", Source: "nvidia-smi"}
	if g != want {
		t.Errorf("GPU =\n %+v, want\n %+v", g, want)
	}
	if h.Tier != TierVeryHighVRAM {
		t.Errorf("tier = %s, want VERY_HIGH_VRAM_GPU (a 24 GB card reports 24564 MiB)", h.Tier)
	}
	if !slices.Contains(r.calls, "nvidia-smi --query-gpu="+nvidiaQuery+" --format=csv,noheader,nounits") {
		t.Errorf("calls = %q, want the documented query", r.calls)
	}
}

func TestDetectNvidiaFourGPUs(t *testing.T) {
	t.Parallel()
	h, _ := detectFixture(t, "cpu-only", map[string]string{"nvidia-smi --query-gpu": "nvidia-smi/four-gpu.csv"})
	if len(h.GPUs) != 4 {
		t.Fatalf("got %d GPUs, want 4: %+v", len(h.GPUs), h.GPUs)
	}
	for i, g := range h.GPUs {
		if g.Index != i || g.Name != "NVIDIA A100-SXM4-80GB" || g.VRAMTotal != 81920<<20 || g.ComputeCapability != "8.0" || g.MIGEnabled {
			t.Errorf("GPU %d = %+v", i, g)
		}
		if g.MemoryBandwidthGBps != 2039 {
			t.Errorf("GPU %d bandwidth = %v, want 2039 (A100 SXM4 80GB)", i, g.MemoryBandwidthGBps)
		}
	}
	if h.GPUs[2].VRAMFree != 60211<<20 {
		t.Errorf("GPU 2 free = %d, want 60211 MiB", h.GPUs[2].VRAMFree)
	}
	if h.Tier != TierMultiGPU {
		t.Errorf("tier = %s, want MULTI_GPU", h.Tier)
	}
}

func TestDetectNvidiaLegacyDriverRetriesWithoutComputeCap(t *testing.T) {
	t.Parallel()
	calls := 0
	r := RunnerFunc(func(_ context.Context, name string, args ...string) ([]byte, error) {
		if name != "nvidia-smi" {
			return nil, ErrToolNotFound
		}
		calls++
		if strings.Contains(args[0], "compute_cap") {
			return nil, errors.New(`nvidia-smi: exit status 2: Field "compute_cap" is not a valid field to query.`)
		}
		return os.ReadFile("testdata/nvidia-smi/legacy-driver.csv")
	})
	h, err := Detector{Runner: r, FS: fstest.MapFS{}}.Detect(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	if calls != 2 || len(h.GPUs) != 1 || h.GPUs[0].Name != "Tesla T4" || h.GPUs[0].VRAMTotal != 15109<<20 || h.GPUs[0].ComputeCapability != "" {
		t.Fatalf("calls %d, GPUs %+v", calls, h.GPUs)
	}
	if h.Tier != TierMidVRAM {
		t.Errorf("tier = %s, want MID_VRAM_GPU (15.8 GB)", h.Tier)
	}
}

func TestDetectNvidiaMIG(t *testing.T) {
	t.Parallel()
	h, _ := detectFixture(t, "", map[string]string{
		"nvidia-smi --query-gpu": "nvidia-smi/mig.csv",
		"nvidia-smi -L":          "nvidia-smi/mig-list.txt",
	})
	if len(h.GPUs) != 4 {
		t.Fatalf("GPUs = %+v, want the parent and three MIG instances", h.GPUs)
	}
	if h.GPUs[0].Usable() {
		t.Error("a GPU split by MIG is not usable as a whole")
	}
	mig := h.GPUs[1]
	if mig.MIG != "3g.40gb" || mig.VRAMTotal != 40e9 || !mig.Usable() {
		t.Errorf("first MIG instance = %+v", mig)
	}
	// MIG instances are separate devices; one process sees one, so they are
	// not pooled into MULTI_GPU.
	if h.Tier != TierVeryHighVRAM {
		t.Errorf("tier = %s, want VERY_HIGH_VRAM_GPU from the 40 GB instance", h.Tier)
	}
	if want := 3350 * 40e9 / 81559 / (1 << 20); mig.MemoryBandwidthGBps < want*0.99 || mig.MemoryBandwidthGBps > want*1.01 {
		t.Errorf("MIG bandwidth = %.0f, want the H100's scaled by its memory share (%.0f)", mig.MemoryBandwidthGBps, want)
	}
}

func TestDetectROCm(t *testing.T) {
	t.Parallel()
	h, _ := detectFixture(t, "amd-sysfs", map[string]string{"rocm-smi": "rocm-smi/two-gpu.json"})
	var amd []GPU
	for _, g := range h.GPUs {
		if g.Source == "rocm-smi" {
			amd = append(amd, g)
		}
	}
	if len(amd) != 2 || len(h.GPUs) != 2 {
		t.Fatalf("GPUs = %+v, want the two from rocm-smi and none again from sysfs", h.GPUs)
	}
	g := amd[0]
	if g.Name != "Navi 31 [Radeon RX 7900 XTX]" || g.VRAMTotal != 25753026560 || g.VRAMFree != 25753026560-1125851136 ||
		g.ComputeCapability != "gfx1100" || g.Driver != "6.8.5" || g.MemoryBandwidthGBps != 960 {
		t.Errorf("card0 = %+v", g)
	}
	if h.Tier != TierMultiGPU {
		t.Errorf("tier = %s, want MULTI_GPU", h.Tier)
	}
}

func TestDetectAMDFromSysfs(t *testing.T) {
	t.Parallel()
	h, _ := detectFixture(t, "amd-sysfs", nil)
	if len(h.GPUs) != 2 {
		t.Fatalf("GPUs = %+v", h.GPUs)
	}
	apu, dGPU := h.GPUs[0], h.GPUs[1]
	if !apu.Integrated || apu.Vendor != VendorAMD || apu.VRAMTotal != 0 {
		t.Errorf("card0 (512 MiB carve-out) = %+v, want an integrated GPU", apu)
	}
	if dGPU.Integrated || dGPU.Name != "AMD Radeon RX 6800 XT" || dGPU.VRAMTotal != 17163091968 || dGPU.VRAMFree != 17163091968-314572800 {
		t.Errorf("card1 = %+v", dGPU)
	}
	if dGPU.MemoryBandwidthGBps != 512 {
		t.Errorf("6800 XT bandwidth = %v, want 512", dGPU.MemoryBandwidthGBps)
	}
	if h.Tier != TierHighVRAM {
		t.Errorf("tier = %s, want HIGH_VRAM_GPU (17.2 GB)", h.Tier)
	}
}

func TestDetectIntegratedGPUHost(t *testing.T) {
	t.Parallel()
	h, _ := detectFixture(t, "igpu", nil)
	if h.CPU.Model != "11th Gen Intel(R) Core(TM) i7-1165G7 @ 2.80GHz" || h.CPU.PhysicalCores != 4 || h.CPU.LogicalCores != 8 {
		t.Errorf("CPU = %+v", h.CPU)
	}
	for _, f := range []string{"AVX2", "AVX-512", "AVX-512-VNNI", "FMA"} {
		if !h.CPU.HasFeature(f) {
			t.Errorf("features %v lack %s", h.CPU.Features, f)
		}
	}
	if h.CPU.HasFeature("AMX") || h.CPU.HasFeature("AVX-512-BF16") {
		t.Errorf("features %v: Tiger Lake has no AMX or AVX-512-BF16", h.CPU.Features)
	}
	if len(h.GPUs) != 1 || !h.GPUs[0].Integrated || h.GPUs[0].Vendor != VendorIntel || h.GPUs[0].Usable() {
		t.Fatalf("GPUs = %+v, want one integrated Intel GPU", h.GPUs)
	}
	if h.Tier != TierIGPU {
		t.Errorf("tier = %s, want IGPU", h.Tier)
	}
	// cgroup v1 with no limit (a page-aligned MaxInt64): the host's numbers stand.
	if h.Memory.Total != 16079456*1024 || h.Memory.Available != 11204880*1024 || h.Memory.CgroupLimit != 0 {
		t.Errorf("memory = %+v", h.Memory)
	}
}

func TestDetectCPUOnlyHostWithCgroupLimit(t *testing.T) {
	t.Parallel()
	h, _ := detectFixture(t, "cpu-only", nil)
	if h.CPU.Model != "AMD Ryzen 7 5800X 8-Core Processor" || h.CPU.PhysicalCores != 8 || h.CPU.LogicalCores != 16 {
		t.Errorf("CPU = %+v", h.CPU)
	}
	if want := []string{"AVX", "AVX2", "FMA", "F16C"}; !slices.Equal(h.CPU.Features, want) {
		t.Errorf("features = %v, want %v", h.CPU.Features, want)
	}
	m := h.Memory
	if m.HostTotal != 65773420*1024 || m.HostAvailable != 55310212*1024 {
		t.Errorf("host memory = %+v", m)
	}
	// memory.max 16 GiB; usage 1342177280 less 524288000 inactive file pages.
	if m.CgroupVersion != 2 || m.CgroupLimit != 17179869184 || m.Total != 17179869184 || m.Available != 17179869184-(1342177280-524288000) {
		t.Errorf("memory = %+v, want the cgroup v2 limit applied", m)
	}
	if len(h.GPUs) != 0 || h.Tier != TierCPUOnly {
		t.Errorf("GPUs %+v, tier %s", h.GPUs, h.Tier)
	}
	if h.CPU.MemoryBandwidthGBps != cpuBandwidthGBps {
		t.Errorf("bandwidth = %v", h.CPU.MemoryBandwidthGBps)
	}
	if len(h.Notes) != 0 {
		t.Errorf("notes = %q, want none: missing tools mean no device", h.Notes)
	}
}

func TestDetectCgroupV1Limit(t *testing.T) {
	t.Parallel()
	fsys := fstest.MapFS{
		"proc/meminfo":     {Data: []byte("MemTotal: 32768000 kB\nMemAvailable: 30000000 kB\n")},
		"proc/self/cgroup": {Data: []byte("9:memory:/docker/abc\n")},
		"sys/fs/cgroup/memory/memory.limit_in_bytes": {Data: []byte("8589934592\n")},
		"sys/fs/cgroup/memory/memory.usage_in_bytes": {Data: []byte("1073741824\n")},
		"sys/fs/cgroup/memory/memory.stat":           {Data: []byte("total_inactive_file 536870912\n")},
	}
	m, _ := detectMemory(fsys)
	if m.CgroupVersion != 1 || m.Total != 8589934592 || m.Available != 8589934592-(1073741824-536870912) {
		t.Errorf("memory = %+v, want the v1 limit read at the namespace root", m)
	}
}

func TestDetectArm64Features(t *testing.T) {
	t.Parallel()
	cpuinfo := "processor\t: 0\nBogoMIPS\t: 243.75\nFeatures\t: fp asimd evtstrm aes pmull sha1 sha2 crc32 atomics fphp asimdhp cpuid asimdrdm jscvt fcma lrcpc dcpop sha3 sm3 sm4 asimddp sha512 sve asimdfhm dit uscat ilrcpc flagm ssbs sb paca pacg dcpodp sve2 sveaes svepmull svebitperm svesha3 svesm4 flagm2 frint svei8mm svebf16 i8mm bf16 dgh rng bti\nCPU implementer\t: 0x41\nCPU architecture: 8\nCPU variant\t: 0x0\nCPU part\t: 0xd4f\nCPU revision\t: 1\n\n" +
		"processor\t: 1\nFeatures\t: fp asimd\nCPU implementer\t: 0x41\nCPU part\t: 0xd4f\n"
	c := parseCPUInfo([]byte(cpuinfo), "arm64")
	if c.Model != "ARM Neoverse-V2" || c.LogicalCores != 2 {
		t.Errorf("CPU = %+v", c)
	}
	if want := []string{"NEON", "FP16", "DOTPROD", "I8MM", "BF16", "SVE", "SVE2"}; !slices.Equal(c.Features, want) {
		t.Errorf("features = %v, want %v", c.Features, want)
	}
}

func TestDetectToolTimeoutIsANote(t *testing.T) {
	t.Parallel()
	hang := RunnerFunc(func(ctx context.Context, name string, _ ...string) ([]byte, error) {
		if name != "nvidia-smi" {
			return nil, ErrToolNotFound
		}
		<-ctx.Done() // a hung driver: only the timeout ends it
		return nil, ctx.Err()
	})
	d := Detector{Runner: hang, FS: os.DirFS("testdata/hosts/cpu-only"), Timeout: 20 * time.Millisecond}
	h, err := d.Detect(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	if len(h.Notes) != 1 || !strings.Contains(h.Notes[0], "nvidia-smi timed out after 20ms") {
		t.Errorf("notes = %q", h.Notes)
	}
	if h.CPU.PhysicalCores != 8 || h.Tier != TierCPUOnly {
		t.Errorf("detection did not go on: %+v", h)
	}
}

func TestDetectCanceledContextIsAnError(t *testing.T) {
	t.Parallel()
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	_, err := Detector{Runner: RunnerFunc(func(ctx context.Context, _ string, _ ...string) ([]byte, error) {
		return nil, ctx.Err()
	}), FS: fstest.MapFS{}}.Detect(ctx)
	if !errors.Is(err, context.Canceled) {
		t.Errorf("err = %v, want context.Canceled", err)
	}
}

func TestExecRunner(t *testing.T) {
	t.Parallel()
	var r ExecRunner
	if _, err := r.Run(context.Background(), "flywheel-no-such-tool-xyz"); !errors.Is(err, ErrToolNotFound) {
		t.Errorf("missing tool: err = %v, want ErrToolNotFound", err)
	}
	out, err := r.Run(context.Background(), "sh", "-c", "echo 0, GPU")
	if err != nil || string(out) != "0, GPU\n" {
		t.Errorf("out %q, err %v", out, err)
	}
	if _, err := r.Run(context.Background(), "sh", "-c", "echo 'NVIDIA-SMI has failed' >&2; exit 9"); err == nil || !strings.Contains(err.Error(), "NVIDIA-SMI has failed") {
		t.Errorf("failing tool: err = %v, want its stderr", err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 50*time.Millisecond)
	defer cancel()
	if _, err := r.Run(ctx, "sh", "-c", "exec sleep 5"); !errors.Is(err, context.DeadlineExceeded) {
		t.Errorf("hung tool: err = %v, want the deadline", err)
	}
}

func TestDetectRealMachine(t *testing.T) {
	t.Parallel()
	h, err := Detect(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	if h.CPU.LogicalCores == 0 && h.OS == "linux" {
		t.Errorf("no CPU found on this Linux host: %+v", h)
	}
	if h.Memory.Total == 0 && h.OS == "linux" {
		t.Errorf("no memory found: %+v", h.Memory)
	}
}
