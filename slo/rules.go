package slo

import (
	"bytes"
	"fmt"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/flywheel-stack/flywheel/config"
	"go.yaml.in/yaml/v3"
)

// EventsMetric is the counter the generated rules are built on.
const EventsMetric = "flywheel_slo_events_total"

// RulesOptions configures the Prometheus rule file.
type RulesOptions struct {
	// Service is the sloth_service label and the first part of sloth_id.
	// Default "flywheel".
	Service string
	// AlertPrefix starts the name of each SLO's page and ticket alerts,
	// which goes on with the SLO's name in CamelCase: FlywheelSLOCoderTtft
	// for coder-ttft. Default "FlywheelSLO".
	AlertPrefix string
	// Version is sloth_slo_info's sloth_version label. Default "flywheel".
	Version string
}

// RuleFile is a Prometheus rule file.
type RuleFile struct {
	Groups []RuleGroup `yaml:"groups"`
}

// RuleGroup is one group of rules.
type RuleGroup struct {
	Name  string `yaml:"name"`
	Rules []Rule `yaml:"rules"`
}

// Rule is a recording rule (Record) or an alert (Alert).
type Rule struct {
	Record      string            `yaml:"record,omitempty"`
	Alert       string            `yaml:"alert,omitempty"`
	Expr        string            `yaml:"expr"`
	Labels      map[string]string `yaml:"labels,omitempty"`
	Annotations map[string]string `yaml:"annotations,omitempty"`
}

// periodName is how Prometheus (and so Sloth) writes a period: 30d, 4w,
// 1w.
func periodName(p config.SLOPeriod) string {
	switch p {
	case config.Period28d:
		return "4w"
	case config.Period7d:
		return "1w"
	}
	return "30d"
}

// promFilter formats labels as a sorted Prometheus selector, the way
// Sloth does: {a="x", b="y"}.
func promFilter(labels map[string]string) string {
	keys := make([]string, 0, len(labels))
	for k := range labels {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	parts := make([]string, len(keys))
	for i, k := range keys {
		parts[i] = k + "=" + strconv.Quote(labels[k])
	}
	return "{" + strings.Join(parts, ", ") + "}"
}

// sliErrorMetric names the recording rule of the error ratio over window.
func sliErrorMetric(window string) string { return "slo:sli_error:ratio_rate" + window }

// Rules builds the rule file of set: for each SLO, Sloth v0.16.0's groups
// (SLI error ratios over every alert window and the period, the meta
// recordings, and the page and ticket alerts), on flywheel_slo_events_total.
// The alerts are Sloth's, with the same burn-rate factors; an SLO whose
// min_events is over 1 adds to each row a check that its short window
// holds that many events (Sloth has none), on a line of its own that ends
// in "# min_events".
func Rules(set *Set, opts RulesOptions) RuleFile {
	if opts.Service == "" {
		opts.Service = "flywheel"
	}
	if opts.AlertPrefix == "" {
		opts.AlertPrefix = "FlywheelSLO"
	}
	if opts.Version == "" {
		opts.Version = "flywheel"
	}
	var f RuleFile
	names := alertNames(set, opts.AlertPrefix) // "a-b" and "a_b" are both AB: the second is AB2
	for i := range set.Len() {
		f.Groups = append(f.Groups, sloGroups(set.At(i), opts, names[set.At(i).Name()])...)
	}
	return f
}

// AlertName is prefix followed by the SLO's name in CamelCase.
func AlertName(prefix, slo string) string {
	var b strings.Builder
	b.WriteString(prefix)
	for _, part := range strings.FieldsFunc(slo, func(r rune) bool {
		return !(r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9')
	}) {
		b.WriteString(strings.ToUpper(part[:1]) + part[1:])
	}
	return b.String()
}

func sloGroups(o *Objective, opts RulesOptions, alertName string) []RuleGroup {
	c := o.Config
	id := opts.Service + "-" + c.Name
	ids := map[string]string{"sloth_id": id, "sloth_service": opts.Service, "sloth_slo": c.Name}
	filter := promFilter(ids)
	with := func(extra map[string]string) map[string]string {
		out := map[string]string{}
		for k, v := range ids {
			out[k] = v
		}
		for k, v := range extra {
			out[k] = v
		}
		return out
	}
	sel := fmt.Sprintf(`slo=%q`, c.Name)
	period := periodName(c.Period)

	sli := RuleGroup{Name: "sloth-slo-sli-recordings-" + id}
	for _, w := range Windows {
		sli.Rules = append(sli.Rules, Rule{
			Record: sliErrorMetric(w.Name),
			Expr: fmt.Sprintf("(sum(rate(%s{%s,result=\"bad\"}[%s])))\n/\n(sum(rate(%s{%s}[%s])))\n",
				EventsMetric, sel, w.Name, EventsMetric, sel, w.Name),
			Labels: with(map[string]string{"sloth_window": w.Name}),
		})
	}
	sli.Rules = append(sli.Rules, Rule{
		Record: sliErrorMetric(period),
		Expr: fmt.Sprintf("sum_over_time(%s%s[%s])\n/ ignoring (sloth_window)\ncount_over_time(%s%s[%s])\n",
			sliErrorMetric("5m"), filter, period, sliErrorMetric("5m"), filter, period),
		Labels: with(map[string]string{"sloth_window": period}),
	})

	objective := c.Objective / 100 // as Sloth computes it, for the same digits
	burn := func(metric string) string {
		return fmt.Sprintf("%s%s\n/ on(sloth_id, sloth_slo, sloth_service) group_left\nslo:error_budget:ratio%s\n", metric, filter, filter)
	}
	meta := RuleGroup{Name: "sloth-slo-meta-recordings-" + id, Rules: []Rule{
		{Record: "slo:objective:ratio", Expr: fmt.Sprintf("vector(%g)", objective), Labels: with(nil)},
		{Record: "slo:error_budget:ratio", Expr: fmt.Sprintf("vector(1-%g)", objective), Labels: with(nil)},
		{Record: "slo:time_period:days", Expr: fmt.Sprintf("vector(%g)", o.Period.Hours()/24), Labels: with(nil)},
		{Record: "slo:current_burn_rate:ratio", Expr: burn(sliErrorMetric("5m")), Labels: with(nil)},
		{Record: "slo:period_burn_rate:ratio", Expr: burn(sliErrorMetric(period)), Labels: with(nil)},
		{Record: "slo:period_error_budget_remaining:ratio", Expr: "1 - slo:period_burn_rate:ratio" + filter, Labels: with(nil)},
		{Record: "sloth_slo_info", Expr: "vector(1)", Labels: with(map[string]string{
			"sloth_mode": "cli-gen-prom", "sloth_spec": "prometheus/v1", "sloth_version": opts.Version,
			"sloth_objective": strconv.FormatFloat(c.Objective, 'f', -1, 64)})},
	}}

	alerts := RuleGroup{Name: "sloth-slo-alerts-" + id}
	budget := (100 - c.Objective) / 100
	for _, sev := range Severities() {
		var rows []string
		for _, row := range AlertWindows {
			if row.Severity != sev {
				continue
			}
			factor := slothFactor(row, o.Period)
			short, long := Windows[row.Short].Name, Windows[row.Long].Name
			cond := func(w string) string {
				return fmt.Sprintf("    max(%s%s > (%v * %v)) without (sloth_window)\n", sliErrorMetric(w), filter, factor, budget)
			}
			r := "(\n" + cond(short) + "    and\n" + cond(long)
			if c.MinEvents > 1 {
				r += fmt.Sprintf("    and on() sum(increase(%s{%s}[%s])) >= %d # min_events\n", EventsMetric, sel, short, c.MinEvents)
			}
			rows = append(rows, r+")\n")
		}
		alerts.Rules = append(alerts.Rules, Rule{
			Alert:  alertName,
			Expr:   strings.Join(rows, "or\n"),
			Labels: map[string]string{"sloth_severity": string(sev)},
			Annotations: map[string]string{
				"title":   fmt.Sprintf("(%s) {{$labels.sloth_service}} {{$labels.sloth_slo}} SLO error budget burn rate is too fast.", sev),
				"summary": "{{$labels.sloth_service}} {{$labels.sloth_slo}} SLO error budget burn rate is over expected.",
			},
		})
	}
	return []RuleGroup{sli, meta, alerts}
}

// slothFactor is the row's burn-rate factor computed the way Sloth
// computes it in floating point, so that the rule file carries the same
// digits (5.6000000000000005 for 28d, not 5.6).
func slothFactor(row AlertWindow, period time.Duration) float64 {
	hours := float64(row.BudgetPercent) * period.Hours() / 100
	return hours / Windows[row.Long].Duration().Hours()
}

// YAML writes the rule file with the header Sloth writes.
func (f RuleFile) YAML() ([]byte, error) {
	var b bytes.Buffer
	b.WriteString("# Code generated by flywheel slo rules, with Sloth v0.16.0's rule names and labels.\n# DO NOT EDIT.\n\n")
	enc := yaml.NewEncoder(&b)
	enc.SetIndent(2)
	if err := enc.Encode(f); err != nil {
		return nil, err
	}
	if err := enc.Close(); err != nil {
		return nil, err
	}
	return b.Bytes(), nil
}
