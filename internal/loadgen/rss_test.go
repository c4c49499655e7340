package loadgen

import (
	"os"
	"runtime"
	"testing"
)

func TestParseVmRSS(t *testing.T) {
	t.Parallel()
	status := "Name:\tflywheel\nVmPeak:\t  900000 kB\nVmRSS:\t   40960 kB\nRssAnon:\t 30000 kB\n"
	got, err := parseVmRSS([]byte(status))
	if err != nil || got != 40960<<10 {
		t.Errorf("parseVmRSS = %d, %v; want %d", got, err, 40960<<10)
	}
	for _, bad := range []string{"Name:\tkthreadd\n", "VmRSS:\t12 MB\n", "VmRSS:\tlots kB\n"} {
		if _, err := parseVmRSS([]byte(bad)); err == nil {
			t.Errorf("%q: want an error", bad)
		}
	}
}

func TestReadRSSOfThisProcess(t *testing.T) {
	t.Parallel()
	if runtime.GOOS != "linux" {
		t.Skip("VmRSS is read from Linux's /proc")
	}
	n, err := ReadRSS(os.Getpid())
	if err != nil || n <= 0 {
		t.Errorf("ReadRSS(self) = %d, %v", n, err)
	}
	if _, err := ReadRSS(-1); err == nil {
		t.Error("ReadRSS(-1): want an error")
	}
}
