package catalog

import (
	"bufio"
	"bytes"
	"context"
	"encoding/csv"
	"fmt"
	"io"
	"regexp"
	"slices"
	"strconv"
	"strings"
)

// nvidiaQuery is the nvidia-smi query detection runs; nvidiaQueryLegacy
// drops compute_cap, which drivers before 510 do not know.
const (
	nvidiaQuery       = "index,uuid,name,memory.total,memory.free,driver_version,compute_cap,mig.mode.current"
	nvidiaQueryLegacy = "index,uuid,name,memory.total,memory.free,driver_version,mig.mode.current"
)

// detectNVIDIA lists NVIDIA GPUs with nvidia-smi, and the MIG instances of
// those in MIG mode with nvidia-smi -L.
func (d Detector) detectNVIDIA(ctx context.Context) ([]GPU, []string) {
	out, found, err := d.run(ctx, "nvidia-smi", "--query-gpu="+nvidiaQuery, "--format=csv,noheader,nounits")
	if !found {
		return nil, nil
	}
	if err != nil && strings.Contains(err.Error(), "not a valid field") {
		out, _, err = d.run(ctx, "nvidia-smi", "--query-gpu="+nvidiaQueryLegacy, "--format=csv,noheader,nounits")
	}
	if err != nil {
		return nil, []string{"nvidia-smi: " + err.Error()}
	}
	gpus, err := parseNvidiaSMI(out)
	if err != nil {
		return nil, []string{"nvidia-smi: " + err.Error()}
	}
	var notes []string
	if slices.ContainsFunc(gpus, func(g GPU) bool { return g.MIGEnabled }) {
		list, _, err := d.run(ctx, "nvidia-smi", "-L")
		if err != nil {
			notes = append(notes, "nvidia-smi -L: "+err.Error())
		} else {
			gpus = append(gpus, parseNvidiaMIG(list, gpus)...)
		}
	}
	for _, g := range gpus {
		if g.VRAMTotal == 0 && !g.MIGEnabled {
			notes = append(notes, fmt.Sprintf("nvidia-smi reports no memory size for GPU %d (%s); it is not used for placement", g.Index, g.Name))
		}
	}
	return gpus, notes
}

// parseNvidiaSMI parses the CSV of nvidiaQuery or nvidiaQueryLegacy
// (--format=csv,noheader,nounits): one GPU per line, memory in MiB, "[N/A]"
// and similar bracketed words for unknown values.
func parseNvidiaSMI(out []byte) ([]GPU, error) {
	recs, err := nvRecords(out)
	if err != nil {
		return nil, err
	}
	var gpus []GPU
	for _, rec := range recs {
		var g GPU
		switch len(rec) {
		case 8:
			g.ComputeCapability = nvValue(rec[6])
			rec = append(rec[:6], rec[7])
		case 7:
		default:
			return nil, fmt.Errorf("parse: want 7 or 8 fields, got %d in %q", len(rec), strings.Join(rec, ","))
		}
		idx, err := strconv.Atoi(strings.TrimSpace(rec[0]))
		if err != nil {
			return nil, fmt.Errorf("parse: index %q: %w", rec[0], err)
		}
		g.Index = idx
		g.Vendor = VendorNVIDIA
		g.UUID = nvValue(rec[1])
		g.Name = nvValue(rec[2])
		g.VRAMTotal = nvMiB(rec[3])
		g.VRAMFree = nvMiB(rec[4])
		g.Driver = nvValue(rec[5])
		g.MIGEnabled = strings.EqualFold(nvValue(rec[6]), "Enabled")
		g.Source = "nvidia-smi"
		gpus = append(gpus, g)
	}
	return gpus, nil
}

// nvRecords reads the lines of nvidia-smi's --format=csv,noheader,nounits
// output as records, blank lines left out.
func nvRecords(out []byte) ([][]string, error) {
	r := csv.NewReader(bytes.NewReader(out))
	r.TrimLeadingSpace = true
	r.FieldsPerRecord = -1
	var recs [][]string
	for {
		rec, err := r.Read()
		if err == io.EOF {
			return recs, nil
		}
		if err != nil {
			return nil, fmt.Errorf("parse: %w", err)
		}
		if len(rec) == 1 && strings.TrimSpace(rec[0]) == "" {
			continue
		}
		recs = append(recs, rec)
	}
}

// nvValue trims a field and maps nvidia-smi's placeholders ("[N/A]",
// "[Not Supported]", "[Insufficient Permissions]", "N/A") to "".
func nvValue(s string) string {
	s = strings.TrimSpace(s)
	if s == "N/A" || strings.HasPrefix(s, "[") && strings.HasSuffix(s, "]") {
		return ""
	}
	return s
}

// nvMiB parses a memory field in MiB; unknown values are 0.
func nvMiB(s string) Bytes {
	v, err := strconv.ParseFloat(nvValue(s), 64)
	if err != nil || v < 0 {
		return 0
	}
	return Bytes(v * (1 << 20))
}

var (
	nvListGPU = regexp.MustCompile(`^GPU (\d+): (.+?) \(UUID: ([^)]+)\)`)
	nvListMIG = regexp.MustCompile(`^\s+MIG (\d+)g\.(\d+)gb\s+Device\s+(\d+): \(UUID: ([^)]+)\)`)
)

// parseNvidiaMIG reads the MIG instances from nvidia-smi -L. Each becomes a
// GPU whose memory is its profile's ("3g.40gb": 40 GB), which one process
// can use on its own.
func parseNvidiaMIG(out []byte, parents []GPU) []GPU {
	var migs []GPU
	parent := -1
	sc := bufio.NewScanner(bytes.NewReader(out))
	for sc.Scan() {
		line := sc.Text()
		if m := nvListGPU.FindStringSubmatch(line); m != nil {
			parent, _ = strconv.Atoi(m[1])
			continue
		}
		m := nvListMIG.FindStringSubmatch(line)
		if m == nil || parent < 0 {
			continue
		}
		var p GPU
		for _, g := range parents {
			if g.Index == parent {
				p = g
			}
		}
		if !p.MIGEnabled {
			continue
		}
		gb, _ := strconv.Atoi(m[2])
		dev, _ := strconv.Atoi(m[3])
		migs = append(migs, GPU{
			Index:             parent,
			Vendor:            VendorNVIDIA,
			Name:              fmt.Sprintf("%s MIG %sg.%sgb device %d", p.Name, m[1], m[2], dev),
			UUID:              m[4],
			VRAMTotal:         Bytes(gb) * 1e9,
			Driver:            p.Driver,
			ComputeCapability: p.ComputeCapability,
			MIG:               m[1] + "g." + m[2] + "gb",
			Source:            "nvidia-smi -L",
		})
	}
	return migs
}
