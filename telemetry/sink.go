package telemetry

import "sync"

// Sink receives finished inference events. Record must not block the
// request path: a sink that writes somewhere slow queues and drops.
type Sink interface {
	Record(e *Event)
}

// Sinks fans an event out to several sinks, in order.
type Sinks []Sink

// Record hands e to every sink.
func (s Sinks) Record(e *Event) {
	for _, sink := range s {
		sink.Record(e)
	}
}

// Memory keeps copies of the events it receives, for tests and the demo.
// It is safe for concurrent use.
type Memory struct {
	mu     sync.Mutex
	events []Event
	notify chan struct{}
}

// NewMemory returns an empty in-memory sink.
func NewMemory() *Memory { return &Memory{notify: make(chan struct{})} }

// Record stores a copy of e.
func (m *Memory) Record(e *Event) {
	m.mu.Lock()
	m.events = append(m.events, *e)
	close(m.notify)
	m.notify = make(chan struct{})
	m.mu.Unlock()
}

// Events returns a copy of the events so far.
func (m *Memory) Events() []Event {
	m.mu.Lock()
	defer m.mu.Unlock()
	return append([]Event(nil), m.events...)
}

// Changed returns a channel closed at the next Record, so a test can wait
// for an event without sleeping.
func (m *Memory) Changed() <-chan struct{} {
	m.mu.Lock()
	defer m.mu.Unlock()
	return m.notify
}
