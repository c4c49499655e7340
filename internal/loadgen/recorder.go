package loadgen

import (
	"sync"
	"time"
)

// recorder collects the results of one phase. It is safe for concurrent
// use; each request appends once, under a short lock.
type recorder struct {
	mu         sync.Mutex
	latency    []time.Duration // from due (open loop) or send
	service    []time.Duration // from send
	firstChunk []time.Duration // from due or send, streams only
	errors     map[string]int
	ok         int
	cancelled  int
}

func newRecorder(capacity int) *recorder {
	return &recorder{
		latency: make([]time.Duration, 0, capacity), service: make([]time.Duration, 0, capacity),
		errors: map[string]int{},
	}
}

// add records one result. due is when the request should have been sent:
// its scheduled instant in an open loop, its send instant otherwise.
// Failed requests count in errors but not in the latency percentiles;
// cancelled ones (the run ended) count nowhere but in cancelled.
func (r *recorder) add(due time.Time, res Result, stream bool) {
	r.mu.Lock()
	defer r.mu.Unlock()
	switch {
	case res.Class == ClassCancelled:
		r.cancelled++
		return
	case res.Class != "":
		r.errors[res.Class]++
		return
	}
	r.ok++
	r.latency = append(r.latency, res.Done.Sub(due))
	r.service = append(r.service, res.Done.Sub(res.Sent))
	if stream {
		r.firstChunk = append(r.firstChunk, res.FirstChunk.Sub(due))
	}
}

// PhaseResult is what one side saw in one phase.
type PhaseResult struct {
	// Target is the side's name ("direct" or "via").
	Target string `json:"target"`
	// Rate is the offered rate in requests per second (open loop), 0 for
	// the streams phase.
	Rate float64 `json:"rate,omitempty"`
	// Streams is the number of concurrent streams (streams phase).
	Streams int `json:"streams,omitempty"`
	// Elapsed is the phase's wall time, from its start to its last answer.
	Elapsed time.Duration `json:"elapsed_ns"`
	// Sent is the number of arrivals: requests sent, and (saturation
	// steps) arrivals refused as ClassOverload.
	Sent int `json:"sent"`
	// OK is the number of complete answers.
	OK int `json:"ok"`
	// Errors counts failed requests by class.
	Errors map[string]int `json:"errors,omitempty"`
	// Cancelled is the requests cut short by the end of the run.
	Cancelled int `json:"cancelled,omitempty"`
	// Latency is measured from each request's due instant to the end of
	// its answer: queueing in the load generator, the network and the
	// server included.
	Latency Percentiles `json:"latency"`
	// Service is measured from the actual send to the end of the answer.
	Service Percentiles `json:"service"`
	// FirstChunk is the time to the first SSE data event, from the due
	// instant (streams phase).
	FirstChunk Percentiles `json:"first_chunk"`
}

// ErrorCount is the number of failed requests.
func (p PhaseResult) ErrorCount() int {
	n := 0
	for _, c := range p.Errors {
		n += c
	}
	return n
}

// ErrorRate is failed over answered (cancelled requests excluded).
func (p PhaseResult) ErrorRate() float64 {
	n := p.OK + p.ErrorCount()
	if n == 0 {
		return 0
	}
	return float64(p.ErrorCount()) / float64(n)
}

// Throughput is complete answers per second of the phase's wall time.
func (p PhaseResult) Throughput() float64 {
	if p.Elapsed <= 0 {
		return 0
	}
	return float64(p.OK) / p.Elapsed.Seconds()
}

// result summarises the recorder; it sorts the samples in place.
func (r *recorder) result(target string, sent int, elapsed time.Duration) PhaseResult {
	r.mu.Lock()
	defer r.mu.Unlock()
	p := PhaseResult{
		Target: target, Elapsed: elapsed, Sent: sent, OK: r.ok, Cancelled: r.cancelled,
		Latency: summarize(r.latency), Service: summarize(r.service), FirstChunk: summarize(r.firstChunk),
	}
	if len(r.errors) > 0 {
		p.Errors = make(map[string]int, len(r.errors))
		for k, v := range r.errors {
			p.Errors[k] = v
		}
	}
	return p
}
