package slo

import (
	"context"
	"log/slog"
	"time"
)

// alertKey names an SLO's alert of one severity.
type alertKey struct {
	slo string
	sev Severity
}

// announcer keeps the alert log in step with the evaluator, and announces
// (logs and hands to notify) each alert that this process opens or
// resolves in the log. It works on levels, not edges: at each evaluation
// it compares the alerts that fire with the alerts the log holds open, so
// an alert that started or resolved while the process was down (or while
// the log could not be written) is recorded and announced at the next
// evaluation. Of several replicas sharing the log, the one whose write
// succeeds announces.
type announcer struct {
	log    AlertLog
	notify func(Alert) // nil: no notifier
	logger *slog.Logger

	// known are the alerts this process takes as open: the log's, or,
	// while the log fails, the last it read plus those it announced.
	known map[alertKey]Alert
	// unrecordedStart and unrecordedEnd are the starts and ends this
	// process announced while the log failed: recorded when the log is
	// back, without announcing them again.
	unrecordedStart map[alertKey]Alert
	unrecordedEnd   map[alertKey]time.Time
}

func newAnnouncer(log AlertLog, notify func(Alert), logger *slog.Logger) *announcer {
	return &announcer{log: log, notify: notify, logger: logger, known: map[alertKey]Alert{},
		unrecordedStart: map[alertKey]Alert{}, unrecordedEnd: map[alertKey]time.Time{}}
}

// reconcile records and announces the differences between the alerts of
// statuses and the open alerts of the log. resolvedAt tells when an alert
// that no longer fires stopped. It returns the alerts open after it, for
// resending.
func (a *announcer) reconcile(ctx context.Context, statuses []Status, resolvedAt func(string, Severity) time.Time) []Alert {
	open, err := a.log.Alerts(ctx, AlertQuery{Open: true})
	logOK := err == nil
	if logOK {
		a.known = make(map[alertKey]Alert, len(open))
		for _, al := range open {
			a.known[alertKey{al.SLO, al.Severity}] = al
		}
		a.recordUnrecorded(ctx)
	} else {
		a.logger.Warn("slo: cannot read the alert log; announcing from this process's view", "err", err)
	}
	firing := map[alertKey]bool{}
	rates := map[string]map[string]float64{}
	for _, st := range statuses {
		rates[st.Name] = burnRateMap(st.BurnRates)
		for _, as := range st.Alerts {
			k := alertKey{st.Name, as.Severity}
			if !as.Active {
				continue
			}
			firing[k] = true
			if _, ok := a.known[k]; ok {
				if logOK {
					delete(a.unrecordedEnd, k) // the log's alert goes on: its end is to be announced
				}
				continue
			}
			al := Alert{SLO: st.Name, Severity: as.Severity, Start: as.Since, BurnRates: rates[st.Name]}
			if al.Start.IsZero() {
				al.Start = st.At
			}
			a.known[k] = al
			if a.open(ctx, k, al, logOK) {
				a.announce(al)
			}
		}
	}
	for k, al := range a.known {
		if firing[k] {
			continue
		}
		delete(a.known, k)
		al.End, al.EndBurnRates = resolvedAt(k.slo, k.sev), rates[k.slo]
		if al.EndBurnRates == nil {
			al.EndBurnRates = map[string]float64{} // an SLO no longer configured
		}
		if al.End.Before(al.Start) {
			al.End = al.Start
		}
		if a.resolve(ctx, k, al, logOK) {
			a.announce(al)
		}
	}
	out := make([]Alert, 0, len(a.known))
	for _, al := range a.known {
		out = append(out, al)
	}
	return out
}

// recordUnrecorded writes to the log the starts announced while it
// failed and not recorded since, so that their ends are recorded and
// announced like any other.
func (a *announcer) recordUnrecorded(ctx context.Context) {
	for k, al := range a.unrecordedStart {
		if _, ok := a.known[k]; ok {
			delete(a.unrecordedStart, k) // another replica recorded it
			continue
		}
		opened, err := a.log.OpenAlert(ctx, al)
		if err != nil {
			continue
		}
		delete(a.unrecordedStart, k)
		if opened {
			a.known[k] = al
		}
	}
}

// open records al and reports whether to announce it: when this process
// recorded it, or could not and has not announced it yet.
func (a *announcer) open(ctx context.Context, k alertKey, al Alert, logOK bool) bool {
	if logOK {
		opened, err := a.log.OpenAlert(ctx, al)
		if err == nil {
			_, announced := a.unrecordedStart[k]
			delete(a.unrecordedStart, k)
			return opened && !announced // !opened: another replica opened it, and announces it
		}
		a.logger.Warn("slo: cannot record an alert; announcing it from this process", "slo", al.SLO,
			"severity", string(al.Severity), "err", err)
	}
	if _, announced := a.unrecordedStart[k]; announced {
		return false
	}
	a.unrecordedStart[k] = al
	return true
}

// resolve records the end of al and reports whether to announce it, as
// open does for its start.
func (a *announcer) resolve(ctx context.Context, k alertKey, al Alert, logOK bool) bool {
	delete(a.unrecordedStart, k)
	if logOK {
		resolved, err := a.log.ResolveAlert(ctx, k.slo, k.sev, al.End, al.EndBurnRates)
		if err == nil {
			_, announced := a.unrecordedEnd[k]
			delete(a.unrecordedEnd, k)
			return resolved && !announced // !resolved: another replica resolved it
		}
		a.logger.Warn("slo: cannot record an alert's end; announcing it from this process", "slo", k.slo,
			"severity", string(k.sev), "err", err)
	}
	if _, announced := a.unrecordedEnd[k]; announced {
		return false
	}
	a.unrecordedEnd[k] = al.End
	return true
}

// announce logs an alert this process recorded, and hands it to the
// notifier.
func (a *announcer) announce(al Alert) {
	attrs := []any{"slo", al.SLO, "severity", string(al.Severity), "start", al.Start}
	if al.Active() {
		a.logger.Warn("slo alert announced", append(attrs, "burn_rate_5m", al.BurnRates["5m"], "burn_rate_1h", al.BurnRates["1h"])...)
	} else {
		a.logger.Info("slo alert resolution announced", append(attrs, "end", al.End, "duration", al.End.Sub(al.Start))...)
	}
	if a.notify != nil {
		a.notify(al)
	}
}
