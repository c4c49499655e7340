package server

import (
	"encoding/json"
	"math"
	"strings"
	"testing"
	"time"

	"github.com/flywheel-stack/flywheel/catalog"
	"github.com/flywheel-stack/flywheel/resource"
	"github.com/flywheel-stack/flywheel/slo"
)

// TestSLOsViewWritesUnknownNumbersAsNull: a backend's unknown KV cache, a
// GPU without utilisation and non-finite numbers are null, never NaN
// (which encoding/json refuses and JSON does not have).
func TestSLOsViewWritesUnknownNumbersAsNull(t *testing.T) {
	t.Parallel()
	at := time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)
	snap := resource.Snapshot{Time: at,
		GPUs: []catalog.GPUUsage{{Index: 0, Vendor: catalog.VendorNVIDIA, Name: "H200", Utilization: math.NaN(),
			MemoryUsed: 1 << 30, MemoryTotal: 2 << 30}},
		Backends: []resource.BackendStats{{Backend: "llama", Kind: "llamacpp", Time: at, Running: 2, Waiting: 0,
			KVCache: math.NaN()}},
		Sources: []resource.SourceStatus{{Name: "backend llama", State: resource.SourceOK}}}
	v := sloView{Name: "x", Alerts: []slo.AlertStatus{}, BurnRates: []burnRateView{}}
	fillStatus(&v, slo.Status{Name: "x", At: at, SLI: math.Inf(1), BudgetRemaining: math.NaN(), TimeToExhaustion: -1,
		BurnRates: make([]float64, len(slo.Windows)), WindowEvents: make([]uint64, len(slo.Windows))})
	data, err := json.Marshal(slosView{SLOs: []sloView{v}, DemotedBackends: []string{}, Resources: viewResources(snap)})
	if err != nil {
		t.Fatal(err)
	}
	out := string(data)
	for _, want := range []string{`"utilization":null`, `"kv_cache_usage_ratio":null`, `"requests_running":2`,
		`"requests_waiting":0`, `"sli":null`, `"error_budget_remaining":null`, `"time_to_exhaustion_seconds":null`,
		`"memory_total_bytes":2147483648`, `{"window":"5m","burn_rate":0,"events":0}`} {
		if !strings.Contains(out, want) {
			t.Errorf("lacks %s:\n%s", want, out)
		}
	}
	if strings.Contains(out, "NaN") || strings.Contains(out, "Inf") {
		t.Errorf("non-finite number written:\n%s", out)
	}
	var back map[string]any
	if err := json.Unmarshal(data, &back); err != nil {
		t.Fatalf("not valid JSON: %v", err)
	}
}
