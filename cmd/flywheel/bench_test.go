package main

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/flywheel-stack/flywheel/simulate"
)

func newBenchSim(t *testing.T) string {
	t.Helper()
	srv, err := simulate.New(simulate.Config{Models: []string{"m"}})
	if err != nil {
		t.Fatal(err)
	}
	ts := httptest.NewServer(srv)
	t.Cleanup(ts.Close)
	return ts.URL
}

// TestBenchCommand runs `flywheel bench` against two simulators and checks
// both outputs: the tables people read and the JSON scripts read.
func TestBenchCommand(t *testing.T) {
	direct, via := newBenchSim(t), newBenchSim(t)
	args := []string{"bench", "--direct", direct, "--via", via, "--model", "m", "--rps", "200", "--duration", "50ms",
		"--streams", "2", "--warmup", "0", "--slice", "20ms",
		"--saturation-start", "200", "--saturation-max", "400", "--saturation-step", "20ms", "--saturation-p99", "1m",
		// No bound a busy machine could break: the search always reaches
		// its maximum, and the test checks what is printed, not speed.
		"--saturation-p50", "0", "--saturation-errors", "0.99"}
	run := func(extra ...string) string {
		var out bytes.Buffer
		cmd := newRootCommand()
		cmd.SetOut(&out)
		cmd.SetErr(io.Discard)
		cmd.SetArgs(append(append([]string{}, args...), extra...))
		if err := cmd.ExecuteContext(context.Background()); err != nil {
			t.Fatalf("bench %v: %v", extra, err)
		}
		return out.String()
	}
	text := run()
	for _, want := range []string{"Short completions, open loop at 200 req/s", "Streams, 2 concurrent", "added",
		"Saturation", "400 req/s (the search's maximum"} {
		if !strings.Contains(text, want) {
			t.Errorf("output lacks %q:\n%s", want, text)
		}
	}
	var rep struct {
		Load struct {
			Direct, Via struct{ OK int }
		}
		Saturation struct{ Via struct{ Rate float64 } }
	}
	if err := json.Unmarshal([]byte(run("--json", "--no-saturation")), &rep); err != nil {
		t.Fatal(err)
	}
	if rep.Load.Direct.OK != 10 || rep.Load.Via.OK != 10 || rep.Saturation.Via.Rate != 0 {
		t.Errorf("json report %+v, want 10 answers a side and no saturation", rep)
	}
}

func TestBenchCommandNeedsBothSidesAndAModel(t *testing.T) {
	for _, args := range [][]string{
		{"bench", "--via", "http://127.0.0.1:1", "--model", "m"},
		{"bench", "--direct", "http://127.0.0.1:1", "--model", "m"},
		{"bench", "--direct", "http://127.0.0.1:1", "--via", "http://127.0.0.1:2"},
	} {
		cmd := newRootCommand()
		cmd.SetOut(io.Discard)
		cmd.SetErr(io.Discard)
		cmd.SetArgs(args)
		if err := cmd.ExecuteContext(context.Background()); err == nil || !strings.Contains(err.Error(), "bench:") {
			t.Errorf("%v: err %v, want a bench error", args, err)
		}
	}
}
