package slo

import (
	"fmt"
	"os"
	"strconv"
	"strings"
	"time"
)

// osGetenv is os.Getenv, a variable for NotifierFromConfig's default.
var osGetenv = os.Getenv

// PostableAlert is one alert of Alertmanager's API v2 (the body of POST
// /api/v2/alerts is an array of them).
type PostableAlert struct {
	// Labels identify the alert: Alertmanager groups, routes and
	// deduplicates on them.
	Labels map[string]string `json:"labels"`
	// Annotations describe it.
	Annotations map[string]string `json:"annotations"`
	// StartsAt is when it started firing.
	StartsAt time.Time `json:"startsAt"`
	// EndsAt is when it resolved; absent while it fires.
	EndsAt time.Time `json:"endsAt,omitzero"`
	// GeneratorURL links back to the source; optional.
	GeneratorURL string `json:"generatorURL,omitempty"`
}

// payload builds the request body of a batch.
func (n *Notifier) payload(batch []queued) []PostableAlert {
	out := make([]PostableAlert, len(batch))
	for i, q := range batch {
		out[i] = n.postable(q.alert)
	}
	return out
}

// postable is one alert in Alertmanager's shape, with the labels the
// alerts of `flywheel slo rules` carry, so that one route serves both.
func (n *Notifier) postable(a Alert) PostableAlert {
	svc := n.opts.Service
	name, ok := n.names[a.SLO]
	if !ok {
		name = AlertName(n.opts.AlertPrefix, a.SLO)
	}
	p := PostableAlert{
		Labels: map[string]string{
			"alertname":      name,
			"sloth_id":       svc + "-" + a.SLO,
			"sloth_service":  svc,
			"sloth_slo":      a.SLO,
			"sloth_severity": string(a.Severity),
		},
		Annotations: map[string]string{
			"title":   fmt.Sprintf("(%s) %s %s SLO error budget burn rate is too fast.", a.Severity, svc, a.SLO),
			"summary": fmt.Sprintf("%s %s SLO error budget burn rate is over expected.", svc, a.SLO),
		},
		StartsAt:     a.Start.UTC(),
		GeneratorURL: n.opts.GeneratorURL,
	}
	if !a.Active() {
		p.EndsAt = a.End.UTC()
	}
	desc := "burn rates at start: " + formatRates(a.BurnRates)
	if !a.Active() {
		desc += "; at end: " + formatRates(a.EndBurnRates)
	}
	if i := n.set.Index(a.SLO); i >= 0 {
		o := n.set.At(i)
		desc = fmt.Sprintf("objective %s%% over %s; %s", strconv.FormatFloat(o.Config.Objective, 'f', -1, 64), o.Config.Period, desc)
	}
	p.Annotations["description"] = desc
	return p
}

// formatRates writes burn rates in window order: "5m=20 1h=15.5".
func formatRates(m map[string]float64) string {
	var parts []string
	for _, w := range Windows {
		if r, ok := m[w.Name]; ok {
			parts = append(parts, w.Name+"="+strconv.FormatFloat(r, 'g', 4, 64))
		}
	}
	if len(parts) == 0 {
		return "none"
	}
	return strings.Join(parts, " ")
}

// alertNames gives each SLO of set its alertname, as Rules does: prefix
// and the name in CamelCase, with a number added where two names meet.
func alertNames(set *Set, prefix string) map[string]string {
	out := make(map[string]string, set.Len())
	used := map[string]bool{}
	for i := range set.Len() {
		name := AlertName(prefix, set.At(i).Name())
		for k := 2; used[name]; k++ {
			name = AlertName(prefix, set.At(i).Name()) + strconv.Itoa(k)
		}
		used[name] = true
		out[set.At(i).Name()] = name
	}
	return out
}
