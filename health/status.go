package health

// Status is the outcome of a check or of a probe, named as in the IETF health
// check response format. The empty Status means "not yet checked" and counts
// as StatusFail everywhere.
type Status string

const (
	// StatusPass means healthy.
	StatusPass Status = "pass"
	// StatusWarn means healthy with a concern; a probe that warns still
	// answers 200.
	StatusWarn Status = "warn"
	// StatusFail means unhealthy; a probe that fails answers 503.
	StatusFail Status = "fail"
)

// OK reports whether s is StatusPass or StatusWarn.
func (s Status) OK() bool { return s == StatusPass || s == StatusWarn }

// Value returns 1 for pass, 0.5 for warn and 0 otherwise: the share a status
// contributes to the composite score and the value of the status metric.
func (s Status) Value() float64 {
	switch s {
	case StatusPass:
		return 1
	case StatusWarn:
		return 0.5
	}
	return 0
}

// orFail maps anything that is not pass or warn (the empty status included)
// to StatusFail.
func (s Status) orFail() Status {
	if s.OK() {
		return s
	}
	return StatusFail
}

// rank orders statuses from best (0) to worst (2).
func (s Status) rank() int {
	switch s {
	case StatusPass:
		return 0
	case StatusWarn:
		return 1
	}
	return 2
}

// worst returns the worse of a and b.
func worst(a, b Status) Status {
	if b.rank() > a.rank() {
		return b.orFail()
	}
	return a.orFail()
}
