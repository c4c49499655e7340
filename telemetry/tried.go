package telemetry

// MaxTried is how many targets an Event records the outcome of.
const MaxTried = 4

// Outcome is what became of one target a request tried.
type Outcome uint8

const (
	// OutcomeAnswered is the target whose answer went to the client; how
	// that answer ended is the event's Status.
	OutcomeAnswered Outcome = iota + 1
	// OutcomeFailed is the backend's fault: a 5xx or 429, a timeout, a
	// connection error, a bad, empty or oversized answer, a refusal of the
	// target (401, 403, 404), after the target's retries.
	OutcomeFailed
	// OutcomeRejected is a target that was not tried: its breaker was
	// open, or its backend at its max_concurrent bound.
	OutcomeRejected
	// OutcomeCancelled is a target being tried when the client went away.
	OutcomeCancelled
)

// String names the outcome: answered, failed, rejected or cancelled.
func (o Outcome) String() string {
	switch o {
	case OutcomeAnswered:
		return "answered"
	case OutcomeFailed:
		return "failed"
	case OutcomeRejected:
		return "rejected"
	case OutcomeCancelled:
		return "cancelled"
	}
	return "none"
}

// TargetOutcome is the outcome of one target of the route, at the
// backend's name and the target's model.
type TargetOutcome struct {
	Backend, Model string
	Outcome        Outcome
}

// AddTried records the outcome of the next target the request tried.
// Beyond MaxTried targets the last entry is replaced, so that it is always
// the last target, and the one it held is counted in TriedDropped. It does
// not allocate.
func (e *Event) AddTried(backend, model string, o Outcome) {
	if e.NTried == MaxTried {
		e.TriedDropped++
		e.NTried--
	}
	e.Tried[e.NTried] = TargetOutcome{Backend: backend, Model: model, Outcome: o}
	e.NTried++
}

// Targets returns the recorded outcomes, in the order the targets were
// tried: Tried[:NTried].
func (e *Event) Targets() []TargetOutcome { return e.Tried[:e.NTried] }
