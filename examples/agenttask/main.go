// Command agenttask is an agent-task client: it creates tasks with
// POST /tasks and an Idempotency-Key, so that a retry after a lost response
// never creates a task twice. The simulated task service loses one response
// after creating the task, then goes down; tasks are queued locally (the
// fallback) while its breaker is open.
package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/flywheel-stack/flywheel/resilience"
)

func main() {
	if err := run(os.Stdout); err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
}

// taskService simulates an agent-task API that deduplicates on
// Idempotency-Key. loseNext makes it create the task and then fail the
// response (a proxy timing out); down makes it refuse everything.
type taskService struct {
	mu       sync.Mutex
	byKey    map[string]string
	created  int
	loseNext atomic.Bool
	down     atomic.Bool
}

func (s *taskService) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if s.down.Load() {
		http.Error(w, "task service unavailable", http.StatusServiceUnavailable)
		return
	}
	key := r.Header.Get("Idempotency-Key")
	if key == "" {
		http.Error(w, "Idempotency-Key required", http.StatusBadRequest)
		return
	}
	s.mu.Lock()
	id, ok := s.byKey[key]
	if !ok {
		s.created++
		id = fmt.Sprintf("task-%d", s.created)
		s.byKey[key] = id
	}
	s.mu.Unlock()
	if s.loseNext.CompareAndSwap(true, false) {
		http.Error(w, "upstream timed out", http.StatusGatewayTimeout)
		return
	}
	w.WriteHeader(http.StatusCreated)
	_ = json.NewEncoder(w).Encode(map[string]any{"id": id, "replayed": ok})
}

// client creates tasks through a resilience pipeline.
type client struct {
	url      string
	http     *http.Client
	pipeline *resilience.Pipeline[string]
	queued   []string
}

func (c *client) create(ctx context.Context, key, goal string) resilience.Result[string] {
	return c.pipeline.Run(ctx, func(ctx context.Context) (string, error) {
		req, _ := http.NewRequestWithContext(ctx, http.MethodPost, c.url+"/tasks", strings.NewReader(`{"goal":"`+goal+`"}`))
		req.Header.Set("Idempotency-Key", key)
		resp, err := c.http.Do(req)
		if err != nil {
			return "", err
		}
		defer resp.Body.Close()
		if resp.StatusCode != http.StatusCreated {
			return "", &resilience.StatusError{Code: resp.StatusCode, Status: resp.Status}
		}
		var t struct {
			ID       string `json:"id"`
			Replayed bool   `json:"replayed"`
		}
		if err := json.NewDecoder(resp.Body).Decode(&t); err != nil {
			return "", err
		}
		if t.Replayed {
			return t.ID + " (replayed: the retry found the task the lost response had created)", nil
		}
		return t.ID, nil
	})
}

func run(out io.Writer) error {
	svc := &taskService{byKey: map[string]string{}}
	srv := httptest.NewServer(svc)
	defer srv.Close()

	retry := resilience.InternalService()
	retry.BaseDelay, retry.MaxDelay = time.Millisecond, 5*time.Millisecond
	retry.RetryIf = resilience.IsTransient
	c := &client{url: srv.URL, http: srv.Client()}
	c.pipeline = resilience.NewPipeline(resilience.PipelineConfig[string]{
		Breaker: resilience.NewBreaker(resilience.BreakerConfig{Name: "agent-tasks", ConsecutiveFailures: 3, OpenFor: time.Minute,
			OnStateChange: func(t resilience.Transition) {
				fmt.Fprintf(out, "  breaker %s: %s -> %s (%s)\n", t.Breaker, t.From, t.To, t.Reason)
			}}),
		Retry: resilience.NewRetrier(retry),
		Fallback: func(_ context.Context, err error) (string, error) {
			if !resilience.IsTransient(err) && !resilience.IsRejected(err) {
				return "", err
			}
			c.queued = append(c.queued, "queued locally")
			return fmt.Sprintf("queued locally (#%d) until the service is back", len(c.queued)), nil
		},
	})

	ask := func(key, goal string) {
		r := c.create(context.Background(), key, goal)
		cause := ""
		if r.Cause != nil {
			cause = ", because: " + r.Cause.Error()
			if errors.Is(r.Cause, resilience.ErrOpen) {
				cause = ", because the breaker is open"
			}
		}
		fmt.Fprintf(out, "%-10s -> %s [%s path, %d attempt(s)%s]\n", key, r.Value, r.Path, r.Attempts, cause)
	}
	ask("task-a", "summarise the logs")
	svc.loseNext.Store(true)
	ask("task-b", "open a pull request")
	svc.down.Store(true)
	ask("task-c", "run the test suite")
	ask("task-d", "update the docs")
	svc.mu.Lock()
	fmt.Fprintf(out, "tasks the service created: %d (for %d keys sent)\n", svc.created, len(svc.byKey))
	svc.mu.Unlock()
	return nil
}
