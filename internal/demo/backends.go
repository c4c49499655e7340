package demo

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/flywheel-stack/flywheel/config"
	"github.com/flywheel-stack/flywheel/simulate"
)

// Names of the demo's backends and models.
const (
	primaryName  = "local-fast"
	primaryModel = "qwen2.5-coder-7b-instruct"
	flakyName    = "local-flaky"
	flakyModel   = "llama-3.2-3b-instruct"
	remoteName   = "remote"
	remoteModel  = "gpt-4o-mini"
	// remoteKeyEnv names the variable the remote backend's key is read
	// from; the demo supplies it itself.
	remoteKeyEnv = "FLYWHEEL_DEMO_REMOTE_KEY"
)

// backendSpec describes one simulated backend.
type backendSpec struct {
	name  string
	kind  config.BackendKind
	model string
	// about says what it stands for, for the banner.
	about  string
	faults simulate.Faults
}

// demoBackends are the three simulated backends: a fast local model (the
// primary, taken down midway), a local model that fails a quarter of its
// requests, and a slower remote API that covers for both.
func demoBackends() []backendSpec {
	return []backendSpec{
		{name: primaryName, kind: config.KindLlamaCPP, model: primaryModel,
			about:  "llama.cpp-style, fast (15 ms to first token, 200 tokens/s)",
			faults: simulate.Faults{TTFT: 15 * time.Millisecond, TokensPerSecond: 200}},
		{name: flakyName, kind: config.KindVLLM, model: flakyModel,
			about:  "vLLM-style, flaky (25% of requests fail with 503)",
			faults: simulate.Faults{TTFT: 25 * time.Millisecond, TokensPerSecond: 150, ErrorRate: 0.25, Status: 503}},
		{name: remoteName, kind: config.KindOpenAI, model: remoteModel,
			about:  "OpenAI-compatible remote API, slower (120 ms to first token, 80 tokens/s)",
			faults: simulate.Faults{TTFT: 120 * time.Millisecond, TokensPerSecond: 80}},
	}
}

// simBackend is a running simulated backend.
type simBackend struct {
	backendSpec
	srv  *simulate.Server
	url  string
	stop func(context.Context) error
}

// startBackends starts each spec on a free loopback port. On error the
// ones already started are stopped.
func startBackends(ctx context.Context, specs []backendSpec) ([]*simBackend, error) {
	var out []*simBackend
	for i, spec := range specs {
		srv, err := simulate.New(simulate.Config{Models: []string{spec.model}, Faults: spec.faults, Seed: uint64(i + 1)})
		if err == nil {
			var b simBackend
			b.backendSpec, b.srv = spec, srv
			if b.url, b.stop, err = srv.Listen(ctx, "127.0.0.1:0"); err == nil {
				out = append(out, &b)
				continue
			}
		}
		return nil, errors.Join(fmt.Errorf("demo: start the %s simulator: %w", spec.name, err), stopBackends(out))
	}
	return out, nil
}

// stopBackends stops every backend, each within a few seconds.
func stopBackends(bs []*simBackend) error {
	var errs []error
	for _, b := range bs {
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		errs = append(errs, b.stop(ctx))
		cancel()
	}
	return errors.Join(errs...)
}

// takeDown makes the backend refuse service: every connection is reset, as
// when the process has died or the port is firewalled.
func (b *simBackend) takeDown() error {
	return b.srv.UpdateFaults(func(f *simulate.Faults) { f.Reset = true })
}

// bringBack heals the backend: its configured faults, and no reset.
func (b *simBackend) bringBack() error {
	return b.srv.SetFaults(b.faults)
}
