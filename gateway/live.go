package gateway

import "sync"

// liveInferences are the requests being served: their ids exist (the
// client may already hold the whole answer and its X-Flywheel-Inference-Id)
// but their telemetry events are not recorded yet. Feedback on them is
// accepted: a request leaves this set only after the sinks (the telemetry
// writer among them) have its event. The zero value is empty.
type liveInferences struct {
	mu       sync.Mutex
	ids      map[string]struct{}
	episodes map[string]int // episode → its live requests
}

// add marks a request live from its arrival.
func (l *liveInferences) add(id, episode string) {
	l.mu.Lock()
	if l.ids == nil {
		l.ids, l.episodes = map[string]struct{}{}, map[string]int{}
	}
	l.ids[id] = struct{}{}
	l.episodes[episode]++
	l.mu.Unlock()
}

// remove ends a request's live time, once its event is recorded.
func (l *liveInferences) remove(id, episode string) {
	l.mu.Lock()
	delete(l.ids, id)
	if l.episodes[episode]--; l.episodes[episode] <= 0 {
		delete(l.episodes, episode)
	}
	l.mu.Unlock()
}

// Pending reports whether the inference is being served (feedback.Pending).
func (l *liveInferences) Pending(id string) bool {
	l.mu.Lock()
	defer l.mu.Unlock()
	_, ok := l.ids[id]
	return ok
}

// PendingEpisode reports whether a request of the episode is being served.
func (l *liveInferences) PendingEpisode(episode string) bool {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.episodes[episode] > 0
}
