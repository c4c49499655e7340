package loadgen

import (
	"bufio"
	"bytes"
	"context"
	"fmt"
	"os"
	"strconv"
	"sync"
	"time"
)

// ReadRSS returns the resident set size of process pid in bytes, from the
// VmRSS line of /proc/PID/status (Linux).
func ReadRSS(pid int) (int64, error) {
	data, err := os.ReadFile(fmt.Sprintf("/proc/%d/status", pid))
	if err != nil {
		return 0, fmt.Errorf("loadgen: RSS of pid %d: %w", pid, err)
	}
	return parseVmRSS(data)
}

// parseVmRSS reads "VmRSS:   12345 kB" from a /proc/PID/status text.
func parseVmRSS(status []byte) (int64, error) {
	sc := bufio.NewScanner(bytes.NewReader(status))
	for sc.Scan() {
		rest, ok := bytes.CutPrefix(sc.Bytes(), []byte("VmRSS:"))
		if !ok {
			continue
		}
		f := bytes.Fields(rest)
		if len(f) != 2 || !bytes.EqualFold(f[1], []byte("kB")) {
			return 0, fmt.Errorf("loadgen: VmRSS line %q: want N kB", sc.Text())
		}
		kb, err := strconv.ParseInt(string(f[0]), 10, 64)
		if err != nil {
			return 0, fmt.Errorf("loadgen: VmRSS line %q: %w", sc.Text(), err)
		}
		return kb << 10, nil
	}
	return 0, fmt.Errorf("loadgen: no VmRSS line (a kernel thread, or not Linux)")
}

// peakRSS samples a process's RSS every interval until stop is called, and
// returns the highest value seen (0 if none could be read).
func peakRSS(ctx context.Context, pid int, interval time.Duration) (stop func() int64) {
	ctx, cancel := context.WithCancel(ctx)
	var (
		wg   sync.WaitGroup
		peak int64
	)
	wg.Go(func() {
		t := time.NewTicker(interval)
		defer t.Stop()
		for {
			if v, err := ReadRSS(pid); err == nil {
				peak = max(peak, v)
			}
			select {
			case <-ctx.Done():
				return
			case <-t.C:
			}
		}
	})
	return func() int64 {
		cancel()
		wg.Wait()
		return peak
	}
}
