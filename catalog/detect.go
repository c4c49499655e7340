package catalog

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"runtime"
	"time"
)

// DefaultToolTimeout bounds each external tool that detection runs.
const DefaultToolTimeout = 5 * time.Second

// Detector reads a machine's hardware. Its zero value inspects the real
// machine; tests set Runner and FS to fixtures.
type Detector struct {
	// Runner runs nvidia-smi and rocm-smi; nil means [ExecRunner].
	Runner Runner
	// FS is the filesystem holding proc/ and sys/ (paths without a leading
	// slash); nil means the root of the real filesystem.
	FS fs.FS
	// Timeout bounds each tool; 0 means [DefaultToolTimeout].
	Timeout time.Duration
	// GOOS and GOARCH name the host; empty means runtime.GOOS and
	// runtime.GOARCH. They decide which CPU features to look for.
	GOOS, GOARCH string
}

// Detect inspects the machine it runs on with a zero [Detector].
func Detect(ctx context.Context) (Hardware, error) { return Detector{}.Detect(ctx) }

// Detect returns the machine's CPU, memory and GPUs, and its tier. A tool
// that is missing means the device is not present; a tool that fails or
// times out adds a note and detection goes on. The only error is ctx being
// done.
func (d Detector) Detect(ctx context.Context) (Hardware, error) {
	h := Hardware{OS: d.goos(), Arch: d.goarch()}
	fsys := d.fs()

	cpu, err := detectCPU(fsys, h.Arch)
	if err != nil {
		h.Notes = append(h.Notes, err.Error())
	}
	h.CPU = cpu
	mem, notes := detectMemory(fsys)
	h.Memory = mem
	h.Notes = append(h.Notes, notes...)

	nv, notes := d.detectNVIDIA(ctx)
	h.Notes = append(h.Notes, notes...)
	amd, notes := d.detectROCm(ctx)
	h.Notes = append(h.Notes, notes...)
	if err := ctx.Err(); err != nil {
		return h, err
	}
	sys, notes := detectSysfsGPUs(fsys, len(nv) > 0, len(amd) > 0)
	h.Notes = append(h.Notes, notes...)
	h.GPUs = append(append(append(h.GPUs, nv...), amd...), sys...)

	for i := range h.GPUs {
		fillGPUBandwidth(&h.GPUs[i], h.GPUs)
	}
	fillCPUBandwidth(&h.CPU)
	h.Tier = Classify(h)
	return h, nil
}

// run runs one tool under the detector's timeout. found is false when the
// tool is not installed; err is set when it ran and failed.
func (d Detector) run(ctx context.Context, name string, args ...string) (out []byte, found bool, err error) {
	runner := d.Runner
	if runner == nil {
		runner = ExecRunner{}
	}
	timeout := d.Timeout
	if timeout <= 0 {
		timeout = DefaultToolTimeout
	}
	tctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	out, err = runner.Run(tctx, name, args...)
	switch {
	case errors.Is(err, ErrToolNotFound):
		return nil, false, nil
	case err != nil && tctx.Err() != nil && ctx.Err() == nil:
		return out, true, fmt.Errorf("%s timed out after %s", name, timeout)
	case err != nil:
		return out, true, err
	}
	return out, true, nil
}

func (d Detector) fs() fs.FS {
	if d.FS != nil {
		return d.FS
	}
	return os.DirFS("/")
}

func (d Detector) goos() string {
	if d.GOOS != "" {
		return d.GOOS
	}
	return runtime.GOOS
}

func (d Detector) goarch() string {
	if d.GOARCH != "" {
		return d.GOARCH
	}
	return runtime.GOARCH
}
