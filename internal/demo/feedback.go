package demo

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"maps"
	"net/http"
	"strings"
	"sync"
	"time"
)

// idealAnswers are the corrections (demonstrations) the demo's "person"
// writes, one per prompt, in the order of prompts.
var idealAnswers = [len(prompts)]string{
	"func Reverse[T any](s []T) {\n\tfor i, j := 0, len(s)-1; i < j; i, j = i+1, j-1 {\n\t\ts[i], s[j] = s[j], s[i]\n\t}\n}",
	"It stops calling a dependency that keeps failing, answers fast meanwhile, and lets a few trial calls through later to see whether it has recovered.",
	"Backpressure is a consumer telling its producer to slow down, so that queues stay bounded instead of growing until memory runs out.",
	"with open(path) as f:\n    for line in f:\n        print(line.rstrip())",
	"When the network partitions, a distributed store must choose between answering every request (availability) and answering them all the same (consistency).",
	"Use a multi-stage build: compile in a full image, copy only the binary into a slim or distroless one, and keep caches out of the layers.",
	"SELECT customer_id, SUM(amount) AS revenue FROM orders GROUP BY customer_id ORDER BY revenue DESC LIMIT 5;",
	"A short imperative summary line (under 50 characters), a blank line, then why the change was made.",
}

// feedbackItem is one POST /v1/feedback body.
type feedbackItem struct {
	InferenceID    string `json:"inference_id,omitempty"`
	EpisodeID      string `json:"episode_id,omitempty"`
	Metric         string `json:"metric"`
	Value          any    `json:"value"`
	Comment        string `json:"comment,omitempty"`
	IdempotencyKey string `json:"idempotency_key"`
}

// FeedbackTally counts the feedback the demo sent through POST
// /v1/feedback.
type FeedbackTally struct {
	// Sent is every feedback request; Accepted those answered 200.
	Sent, Accepted int
	// ByMetric counts the accepted feedback by metric.
	ByMetric map[string]int
	// OnEpisodes is the accepted feedback given on a whole episode
	// (episode_id) rather than on one inference.
	OnEpisodes int
	// Rejected counts the others by what the gateway answered.
	Rejected map[string]int
	// Example is an inference that got feedback, to show with `flywheel
	// inferences show`.
	Example string
}

// feedbackSender plays the people who judge the answers: after some of the
// demo's requests it sends feedback through the gateway's real endpoint,
// with the ids the gateway returned in its response headers.
type feedbackSender struct {
	c *client

	mu           sync.Mutex
	tally        FeedbackTally
	exampleScore int
}

func newFeedbackSender(c *client) *feedbackSender {
	return &feedbackSender{c: c, tally: FeedbackTally{ByMetric: map[string]int{}, Rejected: map[string]int{}}}
}

// result returns a copy of the tally.
func (fs *feedbackSender) result() FeedbackTally {
	fs.mu.Lock()
	defer fs.mu.Unlock()
	t := fs.tally
	t.ByMetric, t.Rejected = maps.Clone(t.ByMetric), maps.Clone(t.Rejected)
	return t
}

// feedbackFor decides the feedback on request i, given what came back: a
// thumb on every third answer, a rating on every fourth, a correction now
// and then, and a rating of the whole conversation on every third episode
// (sent with its last request).
func feedbackFor(i int, r *result) []feedbackItem {
	if r.inferenceID == "" {
		return nil // no answer at all: nothing to judge
	}
	key := func(target, metric string) string { return "flywheel-demo:" + target + ":" + metric }
	var items []feedbackItem
	if i%3 == 0 {
		it := feedbackItem{InferenceID: r.inferenceID, Metric: metricThumbs, Value: r.ok, IdempotencyKey: key(r.inferenceID, metricThumbs)}
		if !r.ok {
			it.Comment = "no answer: " + shortProblem(r.problem)
		}
		items = append(items, it)
	}
	if i%4 == 1 {
		items = append(items, feedbackItem{InferenceID: r.inferenceID, Metric: metricRating, Value: ratingOf(r),
			IdempotencyKey: key(r.inferenceID, metricRating)})
	}
	if i%20 == 7 && r.ok {
		items = append(items, feedbackItem{InferenceID: r.inferenceID, Metric: metricCorrection,
			Value: idealAnswers[i%len(idealAnswers)], IdempotencyKey: key(r.inferenceID, metricCorrection)})
	}
	if i%episodeLen == episodeLen-1 && (i/episodeLen)%3 == 0 && r.episodeID != "" {
		items = append(items, feedbackItem{EpisodeID: r.episodeID, Metric: metricRating, Value: ratingOf(r),
			Comment: "the whole conversation", IdempotencyKey: key(r.episodeID, metricRating)})
	}
	return items
}

// ratingOf is how a person waiting for the answer would rate it: by how
// long it took, 1 when it never came.
func ratingOf(r *result) float64 {
	switch {
	case !r.ok:
		return 1
	case r.latency < 250*time.Millisecond:
		return 5
	case r.latency < 500*time.Millisecond:
		return 4
	case r.latency < time.Second:
		return 3
	}
	return 2
}

// after sends the feedback on request i. fs nil sends none.
func (fs *feedbackSender) after(ctx context.Context, i int, r *result) {
	if fs == nil {
		return
	}
	accepted := 0
	for _, it := range feedbackFor(i, r) {
		problem := fs.c.postFeedback(ctx, it)
		fs.mu.Lock()
		fs.tally.Sent++
		if problem != "" {
			fs.tally.Rejected[problem]++
		} else {
			fs.tally.Accepted++
			fs.tally.ByMetric[it.Metric]++
			if it.EpisodeID != "" {
				fs.tally.OnEpisodes++
			} else {
				accepted++
			}
		}
		fs.mu.Unlock()
	}
	fs.mu.Lock()
	if accepted > 0 && accepted >= fs.exampleScore {
		fs.tally.Example, fs.exampleScore = r.inferenceID, accepted
	}
	fs.mu.Unlock()
}

// postFeedback sends one piece of feedback and returns what went wrong, or
// "" when the gateway stored it.
func (c *client) postFeedback(ctx context.Context, it feedbackItem) string {
	body, err := json.Marshal(it)
	if err != nil {
		return err.Error()
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, c.base+"/v1/feedback", bytes.NewReader(body))
	if err != nil {
		return err.Error()
	}
	req.Header.Set("Content-Type", "application/json")
	resp, err := c.http.Do(req)
	if err != nil {
		return shortProblem(err.Error())
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(io.LimitReader(resp.Body, 4096))
	if resp.StatusCode != http.StatusOK {
		return shortProblem(fmt.Sprintf("status %d: %s", resp.StatusCode, bytes.TrimSpace(b)))
	}
	var ok struct {
		FeedbackID string `json:"feedback_id"`
	}
	if json.Unmarshal(b, &ok) != nil || strings.TrimSpace(ok.FeedbackID) == "" {
		return "a 200 without a feedback_id"
	}
	return ""
}
