package loadgen

import (
	"context"
	"os"
	"runtime"
	"strings"
	"testing"
	"time"

	"github.com/flywheel-stack/flywheel/simulate"
)

func TestRunMeasuresBothSides(t *testing.T) {
	t.Parallel()
	directURL, direct := newSim(t, simulate.Faults{})
	viaURL, via := newSim(t, simulate.Faults{})
	var progress strings.Builder
	pid := 0
	if runtime.GOOS == "linux" {
		pid = os.Getpid()
	}
	cfg := Config{
		Direct: Target{Name: "direct", URL: directURL, Model: "m"},
		Via:    Target{Name: "via", URL: viaURL, Model: "m"},
		Rate:   200, Streams: 3, Duration: 50 * time.Millisecond, Warmup: 20 * time.Millisecond,
		Saturation: &SearchConfig{Start: 200, Max: 400, Factor: 2, Step: 20 * time.Millisecond, Refine: 1,
			MaxErrorRate: 0.01, MaxP99: time.Minute},
		ViaPID:   pid,
		Progress: &progress,
	}
	rep, err := Run(context.Background(), cfg)
	if err != nil {
		t.Fatal(err)
	}
	n := Schedule{Rate: 200, Duration: 50 * time.Millisecond}.Count()
	for _, p := range []PhaseResult{rep.Load.Direct, rep.Load.Via} {
		if p.Sent != n || p.OK != n {
			t.Errorf("%s load: sent %d ok %d, want %d", p.Target, p.Sent, p.OK, n)
		}
	}
	if rep.Stream == nil || rep.Stream.Direct.OK < 3 || rep.Stream.Via.OK < 3 || rep.Stream.Via.FirstChunk.Count == 0 {
		t.Fatalf("streams phase: %+v", rep.Stream)
	}
	if rep.Saturation == nil || rep.Saturation.Direct.Rate != 400 || rep.Saturation.Via.Rate != 400 {
		t.Errorf("saturation %+v", rep.Saturation)
	}
	if pid != 0 && (rep.RSS == nil || rep.RSS.PeakStreams <= 0 || rep.RSS.AfterSaturation <= 0) {
		t.Errorf("rss %+v", rep.RSS)
	}
	// Both sides got the same requests: warm-up, load, saturation steps
	// (200 and 400 req/s for 20 ms), and the streams.
	wctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	for _, side := range []struct {
		sim     *simulate.Server
		streams int
	}{{direct, rep.Stream.Direct.Sent}, {via, rep.Stream.Via.Sent}} {
		want := int64(4 + n + 4 + 8 + side.streams)
		if _, err := side.sim.WaitStats(wctx, func(s simulate.Stats) bool { return s.Completed == want }); err != nil {
			t.Errorf("simulator completed %d, want %d", side.sim.Stats().Completed, want)
		}
	}
	for _, phase := range []string{"warming up direct", "short completions: 200 req/s", "3 concurrent streams to direct",
		"saturation search on via"} {
		if !strings.Contains(progress.String(), phase) {
			t.Errorf("progress lacks %q:\n%s", phase, progress.String())
		}
	}
}

func TestRunStopsWhenASideIsDown(t *testing.T) {
	t.Parallel()
	directURL, _ := newSim(t, simulate.Faults{})
	viaURL, _ := newSim(t, simulate.Faults{ErrorRate: 1, Status: 502})
	_, err := Run(context.Background(), Config{
		Direct: Target{Name: "direct", URL: directURL, Model: "m"},
		Via:    Target{Name: "via", URL: viaURL, Model: "m"},
		Rate:   100, Duration: 20 * time.Millisecond, Warmup: 20 * time.Millisecond,
	})
	if err == nil || !strings.Contains(err.Error(), "via") || !strings.Contains(err.Error(), "status_502") {
		t.Errorf("err %v, want one naming the side and its errors", err)
	}
}

func TestRunValidates(t *testing.T) {
	t.Parallel()
	ok := Config{Direct: Target{Name: "direct", URL: "http://127.0.0.1:1", Model: "m"},
		Via: Target{Name: "via", URL: "http://127.0.0.1:2", Model: "m"}, Rate: 10, Duration: time.Second}
	bad := []func(*Config){
		func(c *Config) { c.Duration = 0 },
		func(c *Config) { c.Rate = 0 },
		func(c *Config) { c.Streams = -1 },
		func(c *Config) { c.Saturation = &SearchConfig{} },
		func(c *Config) { c.Via.URL = "nope" },
	}
	for i, mutate := range bad {
		c := ok
		mutate(&c)
		if _, err := Run(context.Background(), c); err == nil {
			t.Errorf("case %d: want an error", i)
		}
	}
}
