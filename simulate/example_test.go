package simulate_test

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"strings"
	"time"

	"github.com/flywheel-stack/flywheel/clock"
	"github.com/flywheel-stack/flywheel/simulate"
)

// A test drives the simulator's time with a fake clock: the answer comes
// when the test advances the clock past the time to first token, not after
// a sleep.
func Example_fakeClock() {
	ctx := context.Background()
	clk := clock.NewFake(time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC))
	srv, err := simulate.New(simulate.Config{
		Models: []string{"m"},
		Faults: simulate.Faults{TTFT: 2 * time.Second},
		Clock:  clk,
	})
	if err != nil {
		panic(err)
	}
	url, shutdown, err := srv.Listen(ctx, "127.0.0.1:0")
	if err != nil {
		panic(err)
	}
	defer shutdown(ctx)

	answered := make(chan string)
	go func() {
		resp, err := http.Post(url+"/v1/completions", "application/json",
			strings.NewReader(`{"model":"m","prompt":"Say hi","max_tokens":3}`))
		if err != nil {
			answered <- err.Error()
			return
		}
		defer resp.Body.Close()
		_, _ = io.Copy(io.Discard, resp.Body)
		answered <- resp.Status
	}()
	_ = clk.WaitForTimers(ctx, 1) // the simulator is waiting for its first token
	fmt.Println("due in", clk.NextTimerIn())
	clk.Advance(2 * time.Second)
	fmt.Println(<-answered)

	text, tokens := simulate.CompletionAnswer("Say hi", 3)
	fmt.Println(tokens, "tokens:", len(text) > 0)
	// Output:
	// due in 2s
	// 200 OK
	// 3 tokens: true
}

// Faults change while the server runs, in code or over HTTP.
func ExampleServer_UpdateFaults() {
	srv, _ := simulate.New(simulate.Config{Models: []string{"m"}})
	_ = srv.UpdateFaults(func(f *simulate.Faults) {
		f.ErrorRate, f.Status, f.RetryAfter = 1, http.StatusTooManyRequests, 5
	})
	f := srv.Faults()
	fmt.Println(f.ErrorRate, f.Status, f.RetryAfter)
	srv.ResetFaults()
	fmt.Println(srv.Faults().ErrorRate)
	// Output:
	// 1 429 5
	// 0
}
