package writer

// pendingIndex counts, per inference id and per episode, the events that
// are queued or being written: recorded and not yet in the store. Record
// adds an event and a finished write removes its batch, both under the
// writer's lock, so Pending and PendingEpisode answer with two map lookups
// instead of scanning the queue under the lock Record takes.
type pendingIndex struct {
	ids      map[string]int
	episodes map[string]int
}

func newPendingIndex(size int) pendingIndex {
	return pendingIndex{ids: make(map[string]int, size), episodes: make(map[string]int, size)}
}

func (x pendingIndex) add(q *queued) {
	x.ids[q.inf.ID]++
	x.episodes[q.inf.EpisodeID]++
}

func (x pendingIndex) remove(q *queued) {
	decrement(x.ids, q.inf.ID)
	decrement(x.episodes, q.inf.EpisodeID)
}

func decrement(m map[string]int, key string) {
	if m[key] <= 1 {
		delete(m, key)
		return
	}
	m[key]--
}

// Pending reports whether the inference id is queued or being written: it
// has been recorded and is not in the store yet. A caller that checks
// Pending before the store sees every recorded inference in one or the
// other.
func (w *Writer) Pending(id string) bool {
	w.mu.Lock()
	defer w.mu.Unlock()
	return w.pending.ids[id] > 0
}

// PendingEpisode reports whether an inference of the episode is queued or
// being written.
func (w *Writer) PendingEpisode(episode string) bool {
	w.mu.Lock()
	defer w.mu.Unlock()
	return w.pending.episodes[episode] > 0
}
