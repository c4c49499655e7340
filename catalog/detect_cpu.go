package catalog

import (
	"bufio"
	"bytes"
	"fmt"
	"io/fs"
	"strings"
)

// x86Features maps /proc/cpuinfo flags to the names reported, in order.
var x86Features = []struct{ flag, name string }{
	{"avx", "AVX"},
	{"avx2", "AVX2"},
	{"fma", "FMA"},
	{"f16c", "F16C"},
	{"avx_vnni", "AVX-VNNI"},
	{"avx512f", "AVX-512"},
	{"avx512_vnni", "AVX-512-VNNI"},
	{"avx512_bf16", "AVX-512-BF16"},
	{"amx_tile", "AMX"},
	{"amx_int8", "AMX-INT8"},
	{"amx_bf16", "AMX-BF16"},
}

// armFeatures maps the arm64 "Features" line to the names reported.
var armFeatures = []struct{ flag, name string }{
	{"asimd", "NEON"},
	{"asimdhp", "FP16"},
	{"asimddp", "DOTPROD"},
	{"i8mm", "I8MM"},
	{"bf16", "BF16"},
	{"sve", "SVE"},
	{"sve2", "SVE2"},
}

// armParts names common arm64 cores by (implementer, part).
var armParts = map[[2]string]string{
	{"0x41", "0xd03"}: "ARM Cortex-A53",
	{"0x41", "0xd08"}: "ARM Cortex-A72",
	{"0x41", "0xd0b"}: "ARM Cortex-A76",
	{"0x41", "0xd0c"}: "ARM Neoverse-N1",
	{"0x41", "0xd40"}: "ARM Neoverse-V1",
	{"0x41", "0xd49"}: "ARM Neoverse-N2",
	{"0x41", "0xd4f"}: "ARM Neoverse-V2",
	{"0x41", "0xd8e"}: "ARM Neoverse-N3",
	{"0xc0", "0xac3"}: "AmpereOne",
	{"0x61", "0x000"}: "Apple",
}

// parseCPUInfo reads a Linux /proc/cpuinfo for an x86-64 or arm64 host.
func parseCPUInfo(data []byte, arch string) CPU {
	var (
		c          CPU
		physID     string
		cores      = map[string]bool{}
		flags      string
		implementr string
		part       string
	)
	sc := bufio.NewScanner(bytes.NewReader(data))
	sc.Buffer(make([]byte, 0, 64*1024), 1<<20)
	for sc.Scan() {
		key, val, ok := strings.Cut(sc.Text(), ":")
		if !ok {
			continue
		}
		key, val = strings.TrimSpace(key), strings.TrimSpace(val)
		switch key {
		case "processor":
			c.LogicalCores++
			physID = ""
		case "model name":
			if c.Model == "" {
				c.Model = val
			}
		case "physical id":
			physID = val
		case "core id":
			cores[physID+"/"+val] = true
		case "flags", "Features":
			if flags == "" {
				flags = val
			}
		case "CPU implementer":
			if implementr == "" {
				implementr = val
			}
		case "CPU part":
			if part == "" {
				part = val
			}
		}
	}
	c.PhysicalCores = len(cores)
	if c.PhysicalCores == 0 || c.PhysicalCores > c.LogicalCores {
		c.PhysicalCores = c.LogicalCores
	}
	set := map[string]bool{}
	for _, f := range strings.Fields(flags) {
		set[f] = true
	}
	table := x86Features
	if arch == "arm64" {
		table = armFeatures
		if c.Model == "" && implementr != "" {
			if name, ok := armParts[[2]string{implementr, part}]; ok {
				c.Model = name
			} else {
				c.Model = fmt.Sprintf("ARM implementer %s part %s", implementr, part)
			}
		}
	}
	for _, f := range table {
		if set[f.flag] {
			c.Features = append(c.Features, f.name)
		}
	}
	if arch == "arm64" && !c.HasFeature("NEON") {
		c.Features = append([]string{"NEON"}, c.Features...) // mandatory on arm64
	}
	if c.Features == nil {
		c.Features = []string{}
	}
	return c
}

// detectCPU reads proc/cpuinfo from fsys.
func detectCPU(fsys fs.FS, arch string) (CPU, error) {
	data, err := fs.ReadFile(fsys, "proc/cpuinfo")
	if err != nil {
		return CPU{Features: []string{}}, fmt.Errorf("cpu: %w", err)
	}
	return parseCPUInfo(data, arch), nil
}
