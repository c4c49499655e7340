// Command knowledgedb is a knowledge-database query client: searches go
// through a pipeline (last good answer around retry around breaker) against a
// simulated vector database that first hiccups, then goes down.
package main

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
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

// database simulates a vector database: mode 0 answers, 1 fails the next
// request once (a re-index), 2 is down.
type database struct {
	mode, requests atomic.Int32
}

func (d *database) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	d.requests.Add(1)
	switch d.mode.Load() {
	case 1:
		if d.mode.CompareAndSwap(1, 0) {
			http.Error(w, "collection is being re-indexed", http.StatusServiceUnavailable)
			return
		}
	case 2:
		http.Error(w, "database is down", http.StatusServiceUnavailable)
		return
	}
	_ = json.NewEncoder(w).Encode([]string{"doc-17: " + r.URL.Query().Get("q"), "doc-4"})
}

func run(out io.Writer) error {
	db := &database{}
	srv := httptest.NewServer(db)
	defer srv.Close()

	retry := resilience.VectorDB()
	retry.BaseDelay, retry.MaxDelay = 5*time.Millisecond, 20*time.Millisecond // keep the demo quick
	breaker := resilience.NewBreaker(resilience.BreakerConfig{
		Name: "knowledge-db", FailureRate: 0.5, MinCalls: 4, OpenFor: time.Minute,
		OnStateChange: func(t resilience.Transition) {
			fmt.Fprintf(out, "  breaker %s: %s -> %s (%s)\n", t.Breaker, t.From, t.To, t.Reason)
		},
	})
	cache := resilience.NewLastGood[[]string](10*time.Minute, nil)
	search := resilience.NewPipeline(resilience.PipelineConfig[[]string]{
		Breaker: breaker, Retry: resilience.NewRetrier(retry), Fallback: cache.Fallback(),
	})
	query := cache.Wrap(func(ctx context.Context) ([]string, error) {
		req, _ := http.NewRequestWithContext(ctx, http.MethodGet, srv.URL+"/search?q="+url.QueryEscape("breaker"), nil)
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			return nil, err
		}
		defer resp.Body.Close()
		if resp.StatusCode != http.StatusOK {
			return nil, &resilience.StatusError{Code: resp.StatusCode, Status: resp.Status}
		}
		var docs []string
		return docs, json.NewDecoder(resp.Body).Decode(&docs)
	})

	ask := func(label string) {
		before := db.requests.Load()
		r := search.Run(context.Background(), query)
		fmt.Fprintf(out, "%-28s -> %v via %s path, %d attempt(s), %d request(s) reached the database, err=%v\n",
			label, r.Value, r.Path, r.Attempts, db.requests.Load()-before, r.Err)
	}
	ask("healthy")
	db.mode.Store(1)
	ask("re-indexing (503, retried)")
	db.mode.Store(2)
	for i := 1; i <= 4; i++ {
		ask(fmt.Sprintf("down, query %d", i))
	}
	fmt.Fprintf(out, "breaker state: %s\n", breaker.State())
	return nil
}
