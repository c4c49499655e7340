package resource

import (
	"context"
	"log/slog"

	"github.com/flywheel-stack/flywheel/health"
)

// source remembers what one source did last, so that it logs transitions
// only: once when it turns off, once when it starts failing, once when it
// recovers. Only the sampling round touches it.
type source struct {
	name  string
	state SourceState // "" before the first round
	why   string
}

// ok records a successful read.
func (s *source) ok(log *slog.Logger) {
	if s.state == SourceFailing {
		log.Info("resource source recovered", "source", s.name)
	}
	s.state, s.why = SourceOK, ""
}

// fail records a failed read; the source is tried again next round.
func (s *source) fail(log *slog.Logger, err error) {
	why := health.Redact(err.Error())
	if s.state != SourceFailing {
		log.Warn("resource source failing; retried every interval, logged again when it recovers", "source", s.name, "error", why)
	}
	s.state, s.why = SourceFailing, why
}

// off turns the source off for good.
func (s *source) off(log *slog.Logger, level slog.Level, why string) {
	why = health.Redact(why)
	log.Log(context.Background(), level, "resource source off", "source", s.name, "reason", why)
	s.state, s.why = SourceOff, why
}

// status returns the source's state for a snapshot.
func (s *source) status() SourceStatus {
	return SourceStatus{Name: s.name, State: s.state, Reason: s.why}
}
