package catalog

import (
	"context"
	"encoding/json"
	"fmt"
	"sort"
	"strconv"
	"strings"
)

// integratedVRAMLimit is the carve-out below which an AMD GPU is taken for an
// APU's integrated graphics: APUs reserve 512 MiB to 2 GiB by default, and
// no discrete card of the last decade has less than 4 GiB.
const integratedVRAMLimit = 2 << 30

// detectROCm lists AMD GPUs with rocm-smi.
func (d Detector) detectROCm(ctx context.Context) ([]GPU, []string) {
	out, found, err := d.run(ctx, "rocm-smi", "--showproductname", "--showmeminfo", "vram", "--showdriverversion", "--json")
	if !found {
		return nil, nil
	}
	if err != nil {
		return nil, []string{"rocm-smi: " + err.Error()}
	}
	gpus, err := parseROCmSMI(out)
	if err != nil {
		return nil, []string{"rocm-smi: " + err.Error()}
	}
	return gpus, nil
}

// parseROCmSMI parses rocm-smi --json output: an object keyed "card0",
// "card1", ... with string values ("VRAM Total Memory (B)", "VRAM Total Used
// Memory (B)", "Card Series", "GFX Version", ...), and a "system" object
// holding "Driver version". Key spelling differs across ROCm releases
// ("Card series" and "Card Series"), so keys are matched without case.
func parseROCmSMI(out []byte) ([]GPU, error) {
	var doc map[string]map[string]any
	if err := json.Unmarshal(out, &doc); err != nil {
		return nil, fmt.Errorf("parse: %w", err)
	}
	driver := lookupFold(doc["system"], "Driver version")
	var keys []string
	for k := range doc {
		if strings.HasPrefix(k, "card") {
			keys = append(keys, k)
		}
	}
	sort.Slice(keys, func(i, j int) bool { return cardNumber(keys[i]) < cardNumber(keys[j]) })
	var gpus []GPU
	for _, k := range keys {
		c := doc[k]
		total := parseUintString(lookupFold(c, "VRAM Total Memory (B)"))
		used := parseUintString(lookupFold(c, "VRAM Total Used Memory (B)"))
		name := firstNonEmpty(lookupFold(c, "Card Series"), lookupFold(c, "Card SKU"), lookupFold(c, "Card Model"))
		g := GPU{
			Index:             cardNumber(k),
			Vendor:            VendorAMD,
			Name:              name,
			UUID:              lookupFold(c, "Unique ID"),
			VRAMTotal:         Bytes(total),
			Driver:            driver,
			ComputeCapability: lookupFold(c, "GFX Version"),
			Source:            "rocm-smi",
		}
		if used <= total && total > 0 {
			g.VRAMFree = Bytes(total - used)
		}
		if total > 0 && total < integratedVRAMLimit {
			g.Integrated = true
		}
		gpus = append(gpus, g)
	}
	return gpus, nil
}

// lookupFold returns the string value of key in m, matching without case.
func lookupFold(m map[string]any, key string) string {
	for k, v := range m {
		if strings.EqualFold(k, key) {
			switch v := v.(type) {
			case string:
				return strings.TrimSpace(v)
			case float64:
				return strconv.FormatFloat(v, 'f', -1, 64)
			}
		}
	}
	return ""
}

func cardNumber(s string) int {
	n, err := strconv.Atoi(strings.TrimPrefix(s, "card"))
	if err != nil {
		return -1
	}
	return n
}

func parseUintString(s string) uint64 {
	v, _ := strconv.ParseUint(strings.TrimSpace(s), 0, 64)
	return v
}

func firstNonEmpty(ss ...string) string {
	for _, s := range ss {
		if s != "" {
			return s
		}
	}
	return ""
}
