package sqlite

import "time"

// Times are stored as Unix microseconds, UTC; durations as microseconds.

func micros(t time.Time) int64 {
	if t.IsZero() {
		return 0
	}
	return t.UnixMicro()
}

func fromMicros(us int64) time.Time {
	if us == 0 {
		return time.Time{}
	}
	return time.UnixMicro(us).UTC()
}

func durMicros(d time.Duration) int64 { return d.Microseconds() }

func fromDurMicros(us int64) time.Duration { return time.Duration(us) * time.Microsecond }

func boolInt(b bool) int {
	if b {
		return 1
	}
	return 0
}
