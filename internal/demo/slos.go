package demo

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/flywheel-stack/flywheel/config"
	"github.com/flywheel-stack/flywheel/slo"
	"github.com/flywheel-stack/flywheel/store"
	"github.com/prometheus/client_golang/prometheus"
)

// The demo's SLOs, on the coder route. Its answers come from the fast
// primary until it goes down, then from the slower remote: streams' first
// token comes after 15 ms from the primary and 120 ms from the remote, and
// a plain answer (whose first token is the whole answer) after 90-170 ms
// from the primary and 300-500 ms from the remote. So the TTFT SLO spends
// budget only while the primary is down, and the availability SLO only if
// the fallback fails too.
const (
	sloAvailability       = "coder-availability"
	availabilityObjective = 99.5
	sloTTFT               = "coder-ttft"
	ttftThreshold         = 250 * time.Millisecond
	ttftObjective         = 99.0
)

// SLOResult is one SLO as the run left it.
type SLOResult struct {
	// Name and Objective are the SLO's.
	Name      string
	Objective float64
	// Good and Bad are this run's judgements.
	Good, Bad uint64
	// Spent is the share of the period's error budget this run's bad
	// events spent; Left the share left over the period (this run and the
	// earlier ones in the store), negative once overspent.
	Spent, Left float64
	// Alerts are the SLO's alerts active at the end of the run, counting
	// its last, unfinished minute ("page since 16:03", or "page from
	// 16:04, once the run's last minute is over" when only that minute
	// makes it fire).
	Alerts []string
	// Fired are the alerts the running gateway announced during the run.
	Fired []string
}

// sloResults reads the SLOs after the gateway stopped (its SLO service
// wrote the minutes to st): each one's judgements this run (from reg's
// flywheel_slo_events_total), its numbers as an evaluation just after the
// run's last minute would see them, and the alerts the gateway's service
// recorded since start.
func sloResults(ctx context.Context, cfg *config.Config, st store.Store, svc *slo.Service, reg prometheus.Gatherer,
	start, end time.Time) ([]SLOResult, error) {
	ss, ok := st.(store.SLOStore)
	if !ok || svc == nil {
		return nil, fmt.Errorf("the store keeps no SLO minutes")
	}
	set, err := slo.Compile(cfg.SLOs)
	if err != nil {
		return nil, err
	}
	evalAt := end.Truncate(time.Minute).Add(time.Minute)
	status, err := slo.StatusAt(ctx, set, slo.AdaptStore(ss), evalAt)
	if err != nil {
		return nil, err
	}
	fired, err := svc.Alerts(ctx, slo.AlertQuery{Since: start})
	if err != nil {
		return nil, err
	}
	counts, err := sloCounts(reg)
	if err != nil {
		return nil, err
	}
	out := make([]SLOResult, 0, len(status))
	for i, s := range status {
		r := SLOResult{Name: s.Name, Objective: s.Objective, Good: counts[s.Name+"/good"], Bad: counts[s.Name+"/bad"],
			Left: s.BudgetRemaining}
		if events := s.Good + s.Bad; events > 0 {
			r.Spent = float64(r.Bad) / (set.At(i).Budget * float64(events))
		}
		for _, a := range s.Alerts {
			switch {
			case !a.Active:
			case a.Since.Before(evalAt):
				r.Alerts = append(r.Alerts, fmt.Sprintf("%s since %s", a.Severity, a.Since.Local().Format("15:04")))
			default: // first seen by the evaluation after the run's last minute
				r.Alerts = append(r.Alerts, fmt.Sprintf("%s from %s, once the run's last minute is over",
					a.Severity, a.Since.Local().Format("15:04")))
			}
		}
		for _, a := range fired {
			if a.SLO == s.Name && !a.Start.Before(start.Truncate(time.Minute)) {
				r.Fired = append(r.Fired, fmt.Sprintf("%s at %s", a.Severity, a.Start.Local().Format("15:04:05")))
			}
		}
		out = append(out, r)
	}
	return out, nil
}

// sloCounts reads flywheel_slo_events_total by "slo/result".
func sloCounts(reg prometheus.Gatherer) (map[string]uint64, error) {
	mfs, err := reg.Gather()
	if err != nil {
		return nil, err
	}
	out := map[string]uint64{}
	for _, mf := range mfs {
		if mf.GetName() != "flywheel_slo_events_total" {
			continue
		}
		for _, m := range mf.GetMetric() {
			var name, result string
			for _, l := range m.GetLabel() {
				switch l.GetName() {
				case "slo":
					name = l.GetValue()
				case "result":
					result = l.GetValue()
				}
			}
			out[name+"/"+result] += uint64(m.GetCounter().GetValue())
		}
	}
	return out, nil
}

// sloSection is the summary's account of the SLOs.
func sloSection(results []SLOResult, cfgPath, command string) Section {
	sec := Section{Title: "SLOs of the coder route, judged by the gateway on every answer (docs/slo.md)"}
	add := func(format string, args ...any) { sec.Lines = append(sec.Lines, fmt.Sprintf(format, args...)) }
	what := map[string]string{
		sloAvailability: "answered without a backend error",
		sloTTFT:         fmt.Sprintf("first token within %s (a plain answer's is the whole answer)", ttftThreshold),
	}
	for _, r := range results {
		add("%-18s  %g%% %s", r.Name, r.Objective, what[r.Name])
		add("%-18s  this run %d good, %d bad: spent %s of the error budget, %s left over 30d", "",
			r.Good, r.Bad, percent(r.Spent), percent(r.Left))
		alerts := "none"
		if len(r.Alerts) > 0 {
			alerts = strings.Join(r.Alerts, ", ")
		}
		add("%-18s  alerts firing at the end of the run: %s", "", alerts)
		if len(r.Fired) > 0 {
			add("%-18s  fired by the gateway while it ran: %s", "", strings.Join(r.Fired, ", "))
		}
	}
	add("The budget is the share of the period's events allowed to be bad, so a short run that")
	add("is all the store holds can spend it many times over. The gateway evaluates each minute")
	add("once it is over; the alerts above count the run's last minute too.")
	add("look        %s slo status -c %s", command, cfgPath)
	add("            %s slo report -c %s --since 1d", command, cfgPath)
	return sec
}

// percent formats a ratio as a percentage.
func percent(r float64) string { return fmt.Sprintf("%.1f%%", 100*r) }
