package catalog

import (
	"fmt"
	"io/fs"
	"path"
	"regexp"
	"sort"
	"strings"
)

// PCI vendor ids in /sys/class/drm/card*/device/vendor.
const (
	pciNVIDIA = "0x10de"
	pciAMD    = "0x1002"
	pciIntel  = "0x8086"
)

var drmCard = regexp.MustCompile(`^card(\d+)$`)

// intelDiscrete lists the PCI device ids of Intel's discrete Arc GPUs; any
// other Intel display device is integrated.
var intelDiscrete = map[string]string{
	"0x56a0": "Intel Arc A770", "0x56a1": "Intel Arc A750", "0x56a5": "Intel Arc A380",
	"0x56a6": "Intel Arc A310", "0x5690": "Intel Arc A770M", "0x5691": "Intel Arc A730M",
	"0x5692": "Intel Arc A550M", "0xe20b": "Intel Arc B580", "0xe20c": "Intel Arc B570",
}

// detectSysfsGPUs scans sys/class/drm/card*/device. AMD GPUs come from here
// when rocm-smi is missing (mem_info_vram_total and mem_info_vram_used),
// integrated GPUs always do, and an NVIDIA GPU seen here without nvidia-smi
// is reported with unknown memory.
func detectSysfsGPUs(fsys fs.FS, haveNVIDIA, haveAMD bool) ([]GPU, []string) {
	entries, err := fs.ReadDir(fsys, "sys/class/drm")
	if err != nil {
		return nil, nil
	}
	var cards []string
	for _, e := range entries {
		if drmCard.MatchString(e.Name()) {
			cards = append(cards, e.Name())
		}
	}
	sort.Slice(cards, func(i, j int) bool { return cardNumber(cards[i]) < cardNumber(cards[j]) })
	var gpus []GPU
	var notes []string
	for _, card := range cards {
		dev := path.Join("sys/class/drm", card, "device")
		vendor, err := readTrimmed(fsys, path.Join(dev, "vendor"))
		if err != nil {
			continue
		}
		id, _ := readTrimmed(fsys, path.Join(dev, "device"))
		g := GPU{Index: cardNumber(card), Source: "/" + dev}
		switch strings.ToLower(vendor) {
		case pciNVIDIA:
			if haveNVIDIA {
				continue
			}
			g.Vendor, g.Name = VendorNVIDIA, "NVIDIA GPU "+id
			notes = append(notes, fmt.Sprintf("NVIDIA GPU %s found in sysfs but nvidia-smi is not available; its memory is unknown", id))
		case pciAMD:
			if haveAMD {
				continue
			}
			g.Vendor = VendorAMD
			g.Name = firstNonEmpty(readOptional(fsys, path.Join(dev, "product_name")), "AMD GPU "+id)
			total := parseUintString(readOptional(fsys, path.Join(dev, "mem_info_vram_total")))
			used := parseUintString(readOptional(fsys, path.Join(dev, "mem_info_vram_used")))
			g.VRAMTotal = Bytes(total)
			if used <= total && total > 0 {
				g.VRAMFree = Bytes(total - used)
			}
			g.Integrated = total < integratedVRAMLimit
		case pciIntel:
			g.Vendor = VendorIntel
			if name, ok := intelDiscrete[strings.ToLower(id)]; ok {
				g.Name = name
				notes = append(notes, fmt.Sprintf("%s found in sysfs; its memory size is not read, so it is not used for placement", name))
			} else {
				g.Name, g.Integrated = "Intel integrated GPU "+id, true
			}
		default:
			continue
		}
		if g.Integrated {
			g.VRAMTotal, g.VRAMFree = 0, 0 // shares system memory
		}
		gpus = append(gpus, g)
	}
	return gpus, notes
}

func readOptional(fsys fs.FS, name string) string {
	s, _ := readTrimmed(fsys, name)
	return s
}
