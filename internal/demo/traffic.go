package demo

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"strconv"
	"sync"
	"time"

	"github.com/flywheel-stack/flywheel/gateway"
)

// requestKind is one shape of request the demo sends.
type requestKind struct {
	route  string
	path   string
	stream bool
}

// mix is the cycle of requests: mostly the coder route, half of them
// streamed, chat and legacy completions.
var mix = [...]requestKind{
	{"coder", "/v1/chat/completions", true},
	{"coder", "/v1/chat/completions", false},
	{"assistant", "/v1/chat/completions", true},
	{"coder", "/v1/completions", false},
	{"coder", "/v1/chat/completions", true},
	{"assistant", "/v1/chat/completions", false},
	{"coder", "/v1/completions", true},
	{"coder", "/v1/chat/completions", false},
	{"assistant", "/v1/completions", true},
	{"coder", "/v1/chat/completions", false},
}

// prompts are the questions the demo's client asks.
var prompts = [...]string{
	"Write a Go function that reverses a slice.",
	"What does a circuit breaker do?",
	"Explain backpressure in one paragraph.",
	"How do I read a file line by line in Python?",
	"Summarise the CAP theorem.",
	"Why is my Docker image so large?",
	"Write a SQL query for the top five customers by revenue.",
	"What is a good commit message?",
}

// result is what the client saw of one request.
type result struct {
	kind requestKind
	// sent is when it was sent, from the start of the run.
	sent    time.Duration
	latency time.Duration
	// ttft is the time to the first streamed token; 0 when not streamed
	// or when none came.
	ttft     time.Duration
	status   int
	backend  string
	attempts int
	degraded bool
	// ok: a 200 with a complete answer (for a stream, through [DONE]).
	ok bool
	// problem says what went wrong when not ok.
	problem string
	// inferenceID and episodeID are the gateway's X-Flywheel-Inference-Id
	// and X-Flywheel-Episode-Id headers; "" when no answer came.
	inferenceID, episodeID string
}

// client sends the demo's requests to the gateway.
type client struct {
	http *http.Client
	base string
	// runTag makes this run's episode ids unique in a store shared with
	// earlier runs.
	runTag string
}

// episodeLen is how many consecutive requests make one episode (a
// conversation, as an agent or a chat would send them).
const episodeLen = 5

// episodeOf is the X-Flywheel-Episode-Id the client sends with request i.
func (c *client) episodeOf(i int) string {
	return fmt.Sprintf("%s%04d", runMark{tag: c.runTag}.episodePrefix(), i/episodeLen)
}

// send makes request i and reports what came back.
func (c *client) send(ctx context.Context, i int, sent time.Duration) result {
	kind := mix[i%len(mix)]
	r := result{kind: kind, sent: sent}
	body := requestBody(kind, prompts[i%len(prompts)], 16+i%17)
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, c.base+kind.path, bytes.NewReader(body))
	if err != nil {
		r.problem = err.Error()
		return r
	}
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set(gateway.HeaderEpisodeID, c.episodeOf(i))
	start := time.Now()
	resp, err := c.http.Do(req)
	if err != nil {
		r.latency, r.problem = time.Since(start), err.Error()
		return r
	}
	defer resp.Body.Close()
	r.status = resp.StatusCode
	r.backend = resp.Header.Get(gateway.HeaderBackend)
	r.attempts, _ = strconv.Atoi(resp.Header.Get(gateway.HeaderAttempts))
	r.degraded = resp.Header.Get(gateway.HeaderDegraded) == "true"
	r.inferenceID, r.episodeID = resp.Header.Get(gateway.HeaderInferenceID), resp.Header.Get(gateway.HeaderEpisodeID)
	switch {
	case resp.StatusCode != http.StatusOK:
		b, _ := io.ReadAll(io.LimitReader(resp.Body, 4096))
		r.problem = fmt.Sprintf("status %d: %s", resp.StatusCode, bytes.TrimSpace(b))
	case kind.stream:
		r.ttft, r.ok, r.problem = readStream(resp.Body, start)
	default:
		r.ok, r.problem = readAnswer(resp.Body)
	}
	r.latency = time.Since(start)
	return r
}

// requestBody is an OpenAI request for kind.
func requestBody(kind requestKind, prompt string, maxTokens int) []byte {
	m := map[string]any{"model": kind.route, "max_tokens": maxTokens, "user": "flywheel-demo"}
	if kind.path == "/v1/completions" {
		m["prompt"] = prompt
	} else {
		m["messages"] = []map[string]string{{"role": "user", "content": prompt}}
	}
	if kind.stream {
		m["stream"] = true
	}
	b, _ := json.Marshal(m)
	return b
}

// answer is the part of an answer or a stream chunk the client checks.
type answer struct {
	Error   json.RawMessage `json:"error"`
	Choices []struct {
		Message *struct {
			Content string `json:"content"`
		} `json:"message"`
		Delta *struct {
			Content string `json:"content"`
		} `json:"delta"`
		Text string `json:"text"`
	} `json:"choices"`
}

func (a *answer) text() string {
	var s string
	for _, c := range a.Choices {
		switch {
		case c.Message != nil:
			s += c.Message.Content
		case c.Delta != nil:
			s += c.Delta.Content
		default:
			s += c.Text
		}
	}
	return s
}

// readAnswer checks a non-streamed answer: JSON with some text.
func readAnswer(body io.Reader) (bool, string) {
	var a answer
	if err := json.NewDecoder(body).Decode(&a); err != nil {
		return false, "unreadable answer: " + err.Error()
	}
	if len(a.Error) > 0 || a.text() == "" {
		return false, "answer without text"
	}
	return true, ""
}

// readStream reads an SSE stream to its end: it is complete when it ends
// with [DONE] and carried no error event.
func readStream(body io.Reader, start time.Time) (ttft time.Duration, ok bool, problem string) {
	sc := bufio.NewScanner(body)
	sc.Buffer(make([]byte, 0, 64<<10), 1<<20)
	for sc.Scan() {
		data, found := bytes.CutPrefix(sc.Bytes(), []byte("data: "))
		if !found {
			continue
		}
		if string(data) == "[DONE]" {
			if ttft == 0 {
				return 0, false, "stream without tokens"
			}
			return ttft, true, ""
		}
		var a answer
		if err := json.Unmarshal(data, &a); err != nil {
			return ttft, false, "unreadable stream event: " + err.Error()
		}
		if len(a.Error) > 0 {
			return ttft, false, "stream error event: " + string(a.Error)
		}
		if ttft == 0 && a.text() != "" {
			ttft = time.Since(start)
		}
	}
	if err := sc.Err(); err != nil {
		return ttft, false, "stream broken: " + err.Error()
	}
	return ttft, false, "stream ended without [DONE]"
}

// recorder keeps the results and the live counts the progress line shows.
type recorder struct {
	primaryOf map[string]string // route → its first target's backend

	mu        sync.Mutex
	results   []result
	ok, fails int
	fallbacks int
}

func newRecorder(routes []route) *recorder {
	r := &recorder{primaryOf: map[string]string{}}
	for _, rt := range routes {
		r.primaryOf[rt.name] = rt.targets[0][0]
	}
	return r
}

// isFallback tells whether a successful answer came from a later target
// of its route's chain.
func (rec *recorder) isFallback(r *result) bool {
	return r.ok && r.backend != "" && r.backend != rec.primaryOf[r.kind.route]
}

func (rec *recorder) add(r result) {
	rec.mu.Lock()
	defer rec.mu.Unlock()
	rec.results = append(rec.results, r)
	if r.ok {
		rec.ok++
	} else {
		rec.fails++
	}
	if rec.isFallback(&r) {
		rec.fallbacks++
	}
}

// counts returns the requests finished, answered and answered by a
// fallback.
func (rec *recorder) counts() (done, ok, fallbacks int) {
	rec.mu.Lock()
	defer rec.mu.Unlock()
	return rec.ok + rec.fails, rec.ok, rec.fallbacks
}

// all returns a copy of the results.
func (rec *recorder) all() []result {
	rec.mu.Lock()
	defer rec.mu.Unlock()
	return append([]result(nil), rec.results...)
}

// drive sends requests at rate per second, evenly spaced, until ctx ends
// (open loop: a slow answer does not delay the next request), and the
// feedback fb decides on after each answer (fb nil: none). It then gives
// the requests in flight up to grace to finish and cancels the rest. At
// most maxInFlight are outstanding; beyond that the next waits for a slot.
// It returns how long it sent requests for, from start.
func drive(ctx context.Context, c *client, rec *recorder, fb *feedbackSender, start time.Time, rate float64, maxInFlight int,
	grace time.Duration) time.Duration {
	reqCtx, cancel := context.WithCancel(context.WithoutCancel(ctx))
	defer cancel()
	var wg sync.WaitGroup
	slots := make(chan struct{}, maxInFlight)
	tick := time.NewTicker(time.Duration(float64(time.Second) / rate))
	defer tick.Stop()
	for i := 0; ctx.Err() == nil; i++ {
		select {
		case <-ctx.Done():
			continue
		case slots <- struct{}{}:
		}
		wg.Add(1)
		go func() {
			defer wg.Done()
			defer func() { <-slots }()
			r := c.send(reqCtx, i, time.Since(start))
			fb.after(reqCtx, i, &r)
			rec.add(r)
		}()
		select {
		case <-ctx.Done():
		case <-tick.C:
		}
	}
	sent := time.Since(start)
	done := make(chan struct{})
	go func() { wg.Wait(); close(done) }()
	t := time.NewTimer(grace)
	defer t.Stop()
	select {
	case <-done:
	case <-t.C:
		cancel()
		<-done
	}
	return sent
}
