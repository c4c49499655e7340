package health

import (
	"context"
	"log/slog"
	"time"
)

// Change describes a change of the reported status of one check.
type Change struct {
	// Check is the name of the check.
	Check string
	// Kind is the set of probes the check takes part in.
	Kind Kind
	// Critical reports whether the check is critical.
	Critical bool
	// From is the previous status; empty for the first result.
	From Status
	// To is the new status.
	To Status
	// Reason is the (redacted) output of the run that caused the change.
	Reason string
	// ConsecutiveFailures counts the failed runs behind a change to fail.
	ConsecutiveFailures int
	// Time is when the run finished, on the checker's clock.
	Time time.Time
}

// Listener is told about every status change. StatusChanged is called from
// the check's background goroutine, after the new status is visible to
// requests; it must be safe for concurrent use and should return quickly,
// since the check's next run waits for it.
type Listener interface {
	StatusChanged(Change)
}

// ListenerFunc adapts a function to a Listener.
type ListenerFunc func(Change)

// StatusChanged calls f(ch).
func (f ListenerFunc) StatusChanged(ch Change) { f(ch) }

// SlogListener returns the default Listener: one structured line per
// change, at level Info for pass, Warn for warn and Error for fail. A nil
// logger means slog.Default().
func SlogListener(logger *slog.Logger) Listener {
	if logger == nil {
		logger = slog.Default()
	}
	return slogListener{logger}
}

type slogListener struct{ l *slog.Logger }

// StatusChanged logs ch.
func (s slogListener) StatusChanged(ch Change) {
	level := slog.LevelInfo
	switch ch.To {
	case StatusWarn:
		level = slog.LevelWarn
	case StatusFail:
		level = slog.LevelError
	}
	from := string(ch.From)
	if from == "" {
		from = "unknown"
	}
	s.l.LogAttrs(context.Background(), level, "health check status changed",
		slog.String("check", ch.Check),
		slog.String("from", from),
		slog.String("to", string(ch.To)),
		slog.String("reason", ch.Reason),
		slog.String("kind", ch.Kind.String()),
		slog.Bool("critical", ch.Critical),
		slog.Int("consecutive_failures", ch.ConsecutiveFailures),
	)
}
