package loadgen

import (
	"encoding/json"
	"strings"
	"testing"
	"time"
)

func sampleReport() Report {
	us := time.Microsecond
	direct := PhaseResult{Target: "direct", Rate: 1000, Sent: 10000, OK: 10000,
		Latency: Percentiles{Count: 10000, P50: 300 * us, P90: 500 * us, P99: 900 * us, P999: 2 * time.Millisecond, Max: 3 * time.Millisecond}}
	via := PhaseResult{Target: "via", Rate: 1000, Sent: 10000, OK: 9998, Errors: map[string]int{"status_502": 1, "connect": 1},
		Latency: Percentiles{Count: 9998, P50: 420 * us, P90: 700 * us, P99: 1500 * us, P999: 3 * time.Millisecond, Max: 4 * time.Millisecond}}
	sd := PhaseResult{Target: "direct", Streams: 200, Sent: 4000, OK: 4000,
		FirstChunk: Percentiles{P50: 200 * us, P99: 800 * us}, Latency: Percentiles{P50: time.Second, P99: 1100 * time.Millisecond}}
	sv := PhaseResult{Target: "via", Streams: 200, Sent: 3990, OK: 3990,
		FirstChunk: Percentiles{P50: 350 * us, P99: 1200 * us}, Latency: Percentiles{P50: time.Second + 100*us, P99: 1101 * time.Millisecond}}
	st := compare(sd, sv)
	cfg := DefaultSearch()
	return Report{
		Direct: Target{Name: "direct", URL: "http://127.0.0.1:9001", Model: "m"},
		Via:    Target{Name: "via", URL: "http://127.0.0.1:8700", Model: "m", APIKey: "secret"},
		Rate:   1000, Streams: 200, Duration: 10 * time.Second,
		Load: compare(direct, via), Stream: &st, SearchConfig: &cfg,
		Saturation: &SaturationPair{
			Direct: Saturation{Target: "direct", Rate: 15000, Capped: true, Steps: []Step{{Rate: 15000, Held: true, Throughput: 14990}}},
			Via: Saturation{Target: "via", Rate: 12656, Steps: []Step{
				{Rate: 12656, Held: true, Throughput: 12650, P50: 400 * us, P99: 9 * time.Millisecond},
				{Rate: 16875, Why: "p99 310ms > 200ms", Throughput: 13000, P99: 310 * time.Millisecond}}},
		},
		RSS: &RSS{PID: 4242, PeakStreams: 100 << 20, AfterSaturation: 48 << 20},
	}
}

func TestCompareSubtractsDirectFromVia(t *testing.T) {
	t.Parallel()
	r := sampleReport()
	us := time.Microsecond
	if r.Load.Added.P50 != 120*us || r.Load.Added.P99 != 600*us {
		t.Errorf("load added %+v", r.Load.Added)
	}
	if r.Stream.Added.FirstChunkP50 != 150*us || r.Stream.Added.FirstChunkP99 != 400*us || r.Stream.Added.P50 != 100*us {
		t.Errorf("stream added %+v", r.Stream.Added)
	}
}

func TestWriteText(t *testing.T) {
	t.Parallel()
	var b strings.Builder
	if err := sampleReport().WriteText(&b); err != nil {
		t.Fatal(err)
	}
	out := b.String()
	for _, want := range []string{
		"Short completions, open loop at 1000 req/s for 10s",
		"+0.120ms", "+0.600ms", // added p50, p99
		"0.420ms", "1.500ms",
		"via errors: connect 1, status_502 1",
		"Streams, 200 concurrent",
		"+0.150ms", "+0.400ms", // first chunk
		"at most 1% errors, p50 at most 10ms and p99 at most 200ms, 2s per step",
		"15000 req/s (the search's maximum",
		"12656 req/s",
		"broke: p99 310ms > 200ms",
		"Gateway memory (pid 4242, VmRSS)",
		"peak while holding 200 streams: 100.0 MiB",
		"after the saturation search:  48.0 MiB",
	} {
		if !strings.Contains(out, want) {
			t.Errorf("output lacks %q:\n%s", want, out)
		}
	}
	if strings.Contains(out, "secret") {
		t.Error("the API key leaked into the output")
	}
	// After the two target lines, the first table: direct, via, added.
	lines := strings.Split(out, "\n")
	var rows []string
	for _, l := range lines {
		if f := strings.Fields(l); len(f) > 0 && (f[0] == "direct" || f[0] == "via" || f[0] == "added") {
			rows = append(rows, f[0])
		}
	}
	if strings.Join(rows[:5], ",") != "direct,via,direct,via,added" {
		t.Errorf("first table rows %v", rows)
	}
}

func TestWriteTextWithoutOptionalPhases(t *testing.T) {
	t.Parallel()
	r := sampleReport()
	r.Stream, r.Saturation, r.SearchConfig, r.RSS = nil, nil, nil, nil
	var b strings.Builder
	if err := r.WriteText(&b); err != nil {
		t.Fatal(err)
	}
	for _, absent := range []string{"Streams,", "Saturation", "Gateway memory"} {
		if strings.Contains(b.String(), absent) {
			t.Errorf("output has %q for a phase that did not run", absent)
		}
	}
}

func TestReportJSON(t *testing.T) {
	t.Parallel()
	data, err := json.Marshal(sampleReport())
	if err != nil {
		t.Fatal(err)
	}
	if strings.Contains(string(data), "secret") {
		t.Error("the API key leaked into the JSON")
	}
	var back map[string]any
	if err := json.Unmarshal(data, &back); err != nil {
		t.Fatal(err)
	}
	load := back["load"].(map[string]any)
	added := load["added"].(map[string]any)
	if added["p50_ns"].(float64) != 120000 {
		t.Errorf("load.added.p50_ns = %v", added["p50_ns"])
	}
	sat := back["saturation"].(map[string]any)["via"].(map[string]any)
	if sat["rate"].(float64) != 12656 {
		t.Errorf("saturation.via.rate = %v", sat["rate"])
	}
	if back["rss"].(map[string]any)["after_saturation_bytes"].(float64) != 48<<20 {
		t.Errorf("rss %v", back["rss"])
	}
}
