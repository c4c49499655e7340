package demo

import (
	"testing"

	"github.com/flywheel-stack/flywheel/config"
	"github.com/flywheel-stack/flywheel/slo"
	"github.com/flywheel-stack/flywheel/telemetry"
)

// checkSLOs compares the summary's SLO counts with the events the gateway
// reported, judged here by the same SLOs, and checks that the TTFT SLO
// spent budget: the remote's plain answers during the outage are slower
// than its threshold.
func checkSLOs(t *testing.T, sum *Summary, evs []telemetry.Event) {
	t.Helper()
	cfg := config.Default()
	cfg.SLOs = []config.SLO{
		{Name: sloAvailability, Route: "coder", Kind: config.SLOAvailability, Objective: availabilityObjective},
		{Name: sloTTFT, Route: "coder", Kind: config.SLOTTFT, Objective: ttftObjective,
			Threshold: config.SLOThreshold{Duration: ttftThreshold, Set: true}},
	}
	set, err := slo.Compile(cfg.SLOs)
	if err != nil {
		t.Fatal(err)
	}
	want := map[string][3]uint64{}
	for i := range set.Len() {
		o := set.At(i)
		var n [3]uint64
		for j := range evs {
			tl := o.Judge(&evs[j])
			n[slo.Good] += uint64(tl.Good)
			n[slo.Bad] += uint64(tl.Bad)
		}
		want[o.Name()] = n
	}
	if len(sum.SLOs) != 2 {
		t.Fatalf("summary SLOs %+v, want the demo's two", sum.SLOs)
	}
	for _, r := range sum.SLOs {
		w := want[r.Name]
		if r.Good != w[slo.Good] || r.Bad != w[slo.Bad] {
			t.Errorf("%s: the summary counts %d good, %d bad; the events judged here give %d and %d",
				r.Name, r.Good, r.Bad, w[slo.Good], w[slo.Bad])
		}
		if r.Good+r.Bad == 0 {
			t.Errorf("%s judged nothing", r.Name)
		}
		if (r.Bad > 0) != (r.Spent > 0) || r.Left > 1 {
			t.Errorf("%s: %d bad but spent %g, left %g", r.Name, r.Bad, r.Spent, r.Left)
		}
	}
	if ttft := sum.SLOs[1]; ttft.Name != sloTTFT || ttft.Bad == 0 {
		t.Errorf("the outage spent no TTFT budget: %+v", ttft)
	}
}
