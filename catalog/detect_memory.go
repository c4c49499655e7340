package catalog

import (
	"bufio"
	"bytes"
	"io/fs"
	"path"
	"strconv"
	"strings"
)

// unlimited is the threshold above which a cgroup limit means "no limit"
// (cgroup v1 writes 9223372036854771712, a page-aligned MaxInt64).
const unlimited = 1 << 62

// detectMemory reads proc/meminfo and the process's cgroup memory limit.
func detectMemory(fsys fs.FS) (Memory, []string) {
	var m Memory
	var notes []string
	data, err := fs.ReadFile(fsys, "proc/meminfo")
	if err != nil {
		return m, []string{"memory: " + err.Error()}
	}
	total, avail := parseMeminfo(data)
	m.HostTotal, m.HostAvailable = Bytes(total), Bytes(avail)
	m.Total, m.Available = m.HostTotal, m.HostAvailable

	cg, err := readCgroupMemory(fsys)
	if err != nil {
		notes = append(notes, "cgroup: "+err.Error())
	}
	if cg.limit > 0 && cg.limit < unlimited && cg.limit < total {
		m.CgroupLimit, m.CgroupVersion = Bytes(cg.limit), cg.version
		m.Total = Bytes(cg.limit)
		free := uint64(0)
		if cg.usage < cg.limit {
			free = cg.limit - cg.usage
		}
		m.Available = Bytes(min(avail, free))
	}
	return m, notes
}

// parseMeminfo returns MemTotal and MemAvailable in bytes; without
// MemAvailable (kernels before 3.14) it sums MemFree, Buffers and Cached.
func parseMeminfo(data []byte) (total, avail uint64) {
	vals := map[string]uint64{}
	sc := bufio.NewScanner(bytes.NewReader(data))
	for sc.Scan() {
		key, rest, ok := strings.Cut(sc.Text(), ":")
		if !ok {
			continue
		}
		f := strings.Fields(rest)
		if len(f) == 0 {
			continue
		}
		v, err := strconv.ParseUint(f[0], 10, 64)
		if err != nil {
			continue
		}
		if len(f) > 1 && strings.EqualFold(f[1], "kB") {
			v *= 1024
		}
		vals[key] = v
	}
	total = vals["MemTotal"]
	avail, ok := vals["MemAvailable"]
	if !ok {
		avail = vals["MemFree"] + vals["Buffers"] + vals["Cached"]
	}
	return total, min(avail, total)
}

// cgroupMemory is a cgroup's memory limit and the usage that counts against
// it (reclaimable page cache excluded).
type cgroupMemory struct {
	version      int
	limit, usage uint64
}

// readCgroupMemory finds the process's memory cgroup from proc/self/cgroup
// and reads its limit, trying cgroup v2 and then v1. Inside a container
// with a cgroup namespace the path is "/" and the files sit at the mount
// root; on a host or without a namespace they sit under the path, and every
// ancestor's limit applies too.
func readCgroupMemory(fsys fs.FS) (cgroupMemory, error) {
	data, err := fs.ReadFile(fsys, "proc/self/cgroup")
	if err != nil {
		return cgroupMemory{}, nil // not Linux, or no cgroups: no limit
	}
	var v1Path, v2Path string
	haveV2 := false
	sc := bufio.NewScanner(bytes.NewReader(data))
	for sc.Scan() {
		parts := strings.SplitN(sc.Text(), ":", 3)
		if len(parts) != 3 {
			continue
		}
		if parts[0] == "0" && parts[1] == "" {
			v2Path, haveV2 = parts[2], true
			continue
		}
		for _, c := range strings.Split(parts[1], ",") {
			if c == "memory" {
				v1Path = parts[2]
			}
		}
	}
	if v1Path != "" {
		if cg, ok := readCgroupV1(fsys, v1Path); ok {
			return cg, nil
		}
	}
	if haveV2 {
		if cg, ok := readCgroupV2(fsys, v2Path); ok {
			return cg, nil
		}
	}
	return cgroupMemory{}, nil
}

// readCgroupV2 walks from the cgroup up to the mount root taking the
// smallest memory.max; usage is the leaf's memory.current less its
// inactive file pages.
func readCgroupV2(fsys fs.FS, cgPath string) (cgroupMemory, bool) {
	const root = "sys/fs/cgroup"
	leaf := ""
	for _, dir := range []string{path.Join(root, cgPath), root} {
		if _, err := fs.Stat(fsys, path.Join(dir, "memory.max")); err == nil {
			leaf = dir
			break
		}
	}
	if leaf == "" {
		return cgroupMemory{}, false
	}
	cg := cgroupMemory{version: 2, limit: unlimited}
	for dir := leaf; ; dir = path.Dir(dir) {
		if s, err := readTrimmed(fsys, path.Join(dir, "memory.max")); err == nil && s != "max" {
			if v, err := strconv.ParseUint(s, 10, 64); err == nil {
				cg.limit = min(cg.limit, v)
			}
		}
		if dir == root || !strings.HasPrefix(dir, root+"/") {
			break
		}
	}
	if s, err := readTrimmed(fsys, path.Join(leaf, "memory.current")); err == nil {
		cg.usage, _ = strconv.ParseUint(s, 10, 64)
	}
	cg.usage -= min(cg.usage, statValue(fsys, path.Join(leaf, "memory.stat"), "inactive_file"))
	return cg, true
}

// readCgroupV1 reads memory.limit_in_bytes (and the hierarchical limit from
// memory.stat, which includes the ancestors) and the usage less inactive
// file pages.
func readCgroupV1(fsys fs.FS, cgPath string) (cgroupMemory, bool) {
	const root = "sys/fs/cgroup/memory"
	for _, dir := range []string{path.Join(root, cgPath), root} {
		s, err := readTrimmed(fsys, path.Join(dir, "memory.limit_in_bytes"))
		if err != nil {
			continue
		}
		cg := cgroupMemory{version: 1}
		cg.limit, _ = strconv.ParseUint(s, 10, 64)
		stat := path.Join(dir, "memory.stat")
		if h := statValue(fsys, stat, "hierarchical_memory_limit"); h > 0 {
			cg.limit = min(cg.limit, h)
		}
		if s, err := readTrimmed(fsys, path.Join(dir, "memory.usage_in_bytes")); err == nil {
			cg.usage, _ = strconv.ParseUint(s, 10, 64)
		}
		cg.usage -= min(cg.usage, statValue(fsys, stat, "total_inactive_file"))
		return cg, true
	}
	return cgroupMemory{}, false
}

// statValue returns one "key value" line of a cgroup memory.stat file.
func statValue(fsys fs.FS, name, key string) uint64 {
	data, err := fs.ReadFile(fsys, name)
	if err != nil {
		return 0
	}
	sc := bufio.NewScanner(bytes.NewReader(data))
	for sc.Scan() {
		k, v, ok := strings.Cut(sc.Text(), " ")
		if ok && k == key {
			n, _ := strconv.ParseUint(strings.TrimSpace(v), 10, 64)
			return n
		}
	}
	return 0
}

func readTrimmed(fsys fs.FS, name string) (string, error) {
	data, err := fs.ReadFile(fsys, name)
	return strings.TrimSpace(string(data)), err
}
