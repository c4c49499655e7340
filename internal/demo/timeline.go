package demo

import (
	"fmt"
	"sync"
	"time"

	"github.com/flywheel-stack/flywheel/resilience"
)

// Transition is a breaker transition the demo saw.
type Transition struct {
	// At is when it happened, from the start of the run.
	At time.Duration
	// Breaker is the breaker's key, backend/model.
	Breaker string
	// From and To are the states, as the admin API names them.
	From, To string
	// Reason says why.
	Reason string
}

// timeline collects what happened during the run, in order: the outage
// and breaker transitions. The gateway reports transitions from its own
// goroutines; the display reads them.
type timeline struct {
	start time.Time

	mu          sync.Mutex
	events      []string // lines for the display, in order
	transitions []Transition
	primaryDown bool
	breakers    map[string]string // breaker → its state now
	// notify has room for one wake-up; the display drains events when
	// woken.
	notify chan struct{}
}

func newTimeline(start time.Time) *timeline {
	return &timeline{start: start, breakers: map[string]string{}, notify: make(chan struct{}, 1)}
}

func (tl *timeline) wake() {
	select {
	case tl.notify <- struct{}{}:
	default:
	}
}

// breakerChanged is the gateway's OnBreakerChange hook; it never blocks.
func (tl *timeline) breakerChanged(t resilience.Transition) {
	tl.mu.Lock()
	tr := Transition{At: t.At.Sub(tl.start), Breaker: t.Breaker, From: t.From.String(), To: t.To.String(), Reason: t.Reason}
	tl.transitions = append(tl.transitions, tr)
	tl.breakers[tr.Breaker] = tr.To
	line := fmt.Sprintf("breaker %s: %s -> %s", tr.Breaker, tr.From, tr.To)
	if tr.Reason != "" {
		line += " (" + tr.Reason + ")"
	}
	tl.events = append(tl.events, fmt.Sprintf("%6.1fs  %s", tr.At.Seconds(), line))
	tl.mu.Unlock()
	tl.wake()
}

// restart sets the instant times are measured from.
func (tl *timeline) restart(start time.Time) {
	tl.mu.Lock()
	tl.start = start
	tl.mu.Unlock()
}

// note records something the demo did, such as taking the primary down.
func (tl *timeline) note(at time.Duration, primaryDown bool, text string) {
	tl.mu.Lock()
	tl.primaryDown = primaryDown
	tl.events = append(tl.events, fmt.Sprintf("%6.1fs  %s", at.Seconds(), text))
	tl.mu.Unlock()
	tl.wake()
}

// takeEvents returns the event lines not taken yet.
func (tl *timeline) takeEvents() []string {
	tl.mu.Lock()
	defer tl.mu.Unlock()
	ev := tl.events
	tl.events = nil
	return ev
}

// state returns whether the primary is down and the state of a breaker
// ("closed" until it first changes).
func (tl *timeline) state(breaker string) (primaryDown bool, breakerState string) {
	tl.mu.Lock()
	defer tl.mu.Unlock()
	s, ok := tl.breakers[breaker]
	if !ok {
		s = resilience.StateClosed.String()
	}
	return tl.primaryDown, s
}

// allTransitions returns a copy of the transitions so far.
func (tl *timeline) allTransitions() []Transition {
	tl.mu.Lock()
	defer tl.mu.Unlock()
	return append([]Transition(nil), tl.transitions...)
}
