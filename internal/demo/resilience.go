// Package demo runs `flywheel demo`: a walk-through of Flywheel on embedded
// defaults, against simulated backends in the same process, with nothing to
// install or configure.
package demo

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"strings"
	"sync/atomic"
	"time"

	"github.com/flywheel-stack/flywheel/clock"
	"github.com/flywheel-stack/flywheel/resilience"
	"github.com/prometheus/client_golang/prometheus"
)

// Run plays the resilience walk-through: a local model server that answers,
// then loads a model (503 Loading), then goes away, with a remote API as the
// fallback; it prints each answer, each breaker transition and the metrics.
func Run(ctx context.Context, out io.Writer) error {
	var phase atomic.Int32 // 0 up, 1 loading, 2 down
	local, err := serve(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		switch phase.Load() {
		case 1:
			http.Error(w, `{"error":{"message":"Loading model","type":"unavailable_error","code":503}}`, http.StatusServiceUnavailable)
		case 2:
			hj, _ := w.(http.Hijacker)
			if conn, _, err := hj.Hijack(); err == nil {
				_ = conn.Close() // the connection drops: the process died
			}
		default:
			fmt.Fprint(w, "4 (from the local model)")
		}
	}))
	if err != nil {
		return err
	}
	defer local.Close()

	fmt.Fprintln(out, "Flywheel demo: a local model first, a remote API as fallback, a degraded answer last.")
	fmt.Fprintln(out, "The gateway (flywheel serve) arrives with its own issue; this walk-through drives the resilience library it is built on.")
	fmt.Fprintln(out)

	// The breakers run on a simulated clock so that the walk-through can
	// skip the 30 s they stay open.
	clk := clock.NewFake(time.Now())
	breakers := resilience.NewRegistry(resilience.RegistryConfig{
		Clock:   clk,
		Default: resilience.BreakerConfig{FailureRate: 0.5, MinCalls: 4, ConsecutiveFailures: 3, OpenFor: 30 * time.Second},
		OnStateChange: func(t resilience.Transition) {
			fmt.Fprintf(out, "    breaker %s: %s -> %s (%s)\n", t.Breaker, t.From, t.To, t.Reason)
		},
	})
	retry := resilience.LLMInference()
	retry.BaseDelay, retry.MaxDelay = 10*time.Millisecond, 50*time.Millisecond
	retrier := resilience.NewRetrier(retry)
	client := &http.Client{Transport: resilience.NewTransport(resilience.TransportConfig{
		Breakers: breakers, Retry: retrier, HeaderTimeout: 2 * time.Second,
		Key: func(*http.Request) string { return "llama/qwen2.5-coder-7b" },
	})}
	pipeline := resilience.NewPipeline(resilience.PipelineConfig[string]{
		Fallback: resilience.FallbackCall(func(context.Context) (string, error) { return "4 (from the remote API)", nil }),
	})
	ask := func(ctx context.Context) (string, error) {
		req, _ := http.NewRequestWithContext(ctx, http.MethodPost, local.URL, strings.NewReader(`{"prompt":"2+2"}`))
		req.Header.Set("Idempotency-Key", "demo")
		resp, err := client.Do(req)
		if err != nil {
			return "", err
		}
		defer resp.Body.Close()
		body, _ := io.ReadAll(resp.Body)
		if resp.StatusCode != http.StatusOK {
			return "", fmt.Errorf("local model: %s", strings.TrimSpace(string(body)))
		}
		return string(body), nil
	}

	steps := []struct {
		phase int32
		label string
		n     int
		wait  time.Duration
	}{
		{0, "local model up", 2, 0},
		{2, "local model process gone", 3, 0},
		{1, "30 s later, the model server is back but still loading", 2, 30 * time.Second},
		{0, "30 s later, the model is loaded", 2, 30 * time.Second},
	}
	for _, s := range steps {
		clk.Advance(s.wait)
		phase.Store(s.phase)
		fmt.Fprintf(out, "%s:\n", s.label)
		for range s.n {
			r := pipeline.Run(ctx, ask)
			why := ""
			if r.Cause != nil {
				why = " because " + short(r.Cause)
			}
			fmt.Fprintf(out, "  2+2 = %s  [%s path%s]\n", r.Value, r.Path, why)
		}
	}

	fmt.Fprintln(out, "\nMetrics a Prometheus scrape of /metrics would show:")
	reg := prometheus.NewRegistry()
	col := resilience.NewCollector(breakers)
	col.AddRetrier("llm_inference", retrier)
	reg.MustRegister(col)
	families, err := reg.Gather()
	if err != nil {
		return err
	}
	for _, f := range families {
		for _, m := range f.GetMetric() {
			v := m.GetGauge().GetValue() + m.GetCounter().GetValue()
			if v == 0 {
				continue
			}
			var labels []string
			for _, l := range m.GetLabel() {
				labels = append(labels, fmt.Sprintf("%s=%q", l.GetName(), l.GetValue()))
			}
			fmt.Fprintf(out, "  %s{%s} %g\n", f.GetName(), strings.Join(labels, ","), v)
		}
	}
	return nil
}

func short(err error) string {
	switch {
	case errors.Is(err, resilience.ErrOpen):
		return "the breaker is open (no call made)"
	case errors.Is(err, resilience.ErrTooManyCalls):
		return "the breaker is half-open and its trial call is taken"
	default:
		s := err.Error()
		if i := strings.Index(s, `{"error"`); i > 0 {
			s = s[:i] + "503 Loading model"
		}
		return s
	}
}

// server is a loopback HTTP server for a simulated backend.
type server struct {
	URL string
	srv *http.Server
}

func serve(h http.Handler) (*server, error) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return nil, fmt.Errorf("demo: listen on loopback: %w", err)
	}
	s := &server{URL: "http://" + ln.Addr().String(), srv: &http.Server{Handler: h, ReadHeaderTimeout: 5 * time.Second}}
	go func() { _ = s.srv.Serve(ln) }()
	return s, nil
}

// Close stops the server.
func (s *server) Close() { _ = s.srv.Close() }
