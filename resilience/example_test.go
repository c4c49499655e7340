package resilience_test

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"time"

	"github.com/flywheel-stack/flywheel/resilience"
)

// A breaker in front of a dependency that goes down: after three failures
// in a row it rejects calls at once, with the instant to come back.
func ExampleBreaker() {
	b := resilience.NewBreaker(resilience.BreakerConfig{
		Name:                "qdrant",
		ConsecutiveFailures: 3,
		OpenFor:             30 * time.Second,
		OnStateChange: func(t resilience.Transition) {
			fmt.Printf("%s: %s -> %s (%s)\n", t.Breaker, t.From, t.To, t.Reason)
		},
	})
	search := func(context.Context) ([]string, error) { return nil, errors.New("connection refused") }
	for range 4 {
		_, err := resilience.Execute(context.Background(), b, search)
		if errors.Is(err, resilience.ErrOpen) {
			fmt.Println("rejected without calling qdrant")
		}
	}
	// Output:
	// qdrant: closed -> open (3 consecutive failures)
	// rejected without calling qdrant
}

// The two-step API: take a permit, do anything, record the outcome.
func ExampleBreaker_Allow() {
	b := resilience.NewBreaker(resilience.BreakerConfig{Name: "coordinator"})
	p, err := b.Allow()
	if err != nil {
		fmt.Println("skip:", err)
		return
	}
	// ... stream a response, then record how it ended:
	p.Record(context.Background(), nil)
	fmt.Println(b.State())
	// Output: closed
}

// Retry with the ExternalAPI preset: a 503 is retried, a 404 is not.
func ExampleRetrier() {
	calls := 0
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		calls++
		if calls == 1 {
			w.WriteHeader(http.StatusServiceUnavailable)
			return
		}
		fmt.Fprint(w, "ok")
	}))
	defer srv.Close()

	cfg := resilience.ExternalAPI()
	cfg.BaseDelay, cfg.MaxDelay = time.Millisecond, time.Millisecond // keep the example quick
	r := resilience.NewRetrier(cfg)
	err := r.Do(context.Background(), func(ctx context.Context) error {
		req, _ := http.NewRequestWithContext(ctx, http.MethodGet, srv.URL, nil)
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			return err
		}
		defer resp.Body.Close()
		if resp.StatusCode >= 400 {
			return &resilience.StatusError{Code: resp.StatusCode, Status: resp.Status}
		}
		return nil
	})
	fmt.Println(err, "after", calls, "calls")
	// Output: <nil> after 2 calls
}

// A pipeline: fallback around retry around breaker, generic in the result.
func ExamplePipeline() {
	p := resilience.NewPipeline(resilience.PipelineConfig[string]{
		Breaker:  resilience.NewBreaker(resilience.BreakerConfig{Name: "llama"}),
		Retry:    resilience.NewRetrier(resilience.RetryConfig{MaxAttempts: 2, BaseDelay: time.Millisecond}),
		Fallback: resilience.FallbackValue("The assistant is degraded; retry shortly."),
	})
	r := p.Run(context.Background(), func(context.Context) (string, error) {
		return "", errors.New("llama.cpp is loading the model")
	})
	fmt.Printf("%q from the %s path after %d attempts\n", r.Value, r.Path, r.Attempts)
	// Output: "The assistant is degraded; retry shortly." from the fallback path after 2 attempts
}
