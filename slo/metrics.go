package slo

import "github.com/prometheus/client_golang/prometheus"

var (
	alertActiveDesc = prometheus.NewDesc("flywheel_slo_alert_active",
		"1 while the SLO's burn-rate alert of this severity (page or ticket) fires, else 0.", []string{"slo", "severity"}, nil)
	budgetRemainingDesc = prometheus.NewDesc("flywheel_slo_error_budget_remaining_ratio",
		"Share of the SLO's error budget over its period not spent yet (negative once overspent).", []string{"slo"}, nil)
	burnRateDesc = prometheus.NewDesc("flywheel_slo_burn_rate",
		"Burn rate of the SLO's error budget over the window (5m, 30m, 1h, 2h, 6h, 1d, 3d): 1 spends exactly the budget over the period.",
		[]string{"slo", "window"}, nil)
)

// Describe implements prometheus.Collector: the evaluator exports the
// numbers of its last evaluation.
func (e *Evaluator) Describe(ch chan<- *prometheus.Desc) {
	ch <- alertActiveDesc
	ch <- budgetRemainingDesc
	ch <- burnRateDesc
}

// Collect implements prometheus.Collector.
func (e *Evaluator) Collect(ch chan<- prometheus.Metric) {
	for _, st := range e.Status() {
		for _, a := range st.Alerts {
			v := 0.0
			if a.Active {
				v = 1
			}
			ch <- prometheus.MustNewConstMetric(alertActiveDesc, prometheus.GaugeValue, v, st.Name, string(a.Severity))
		}
		ch <- prometheus.MustNewConstMetric(budgetRemainingDesc, prometheus.GaugeValue, st.BudgetRemaining, st.Name)
		for w, win := range Windows {
			ch <- prometheus.MustNewConstMetric(burnRateDesc, prometheus.GaugeValue, st.BurnRates[w], st.Name, win.Name)
		}
	}
}
