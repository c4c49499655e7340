package resource

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"sync"
	"sync/atomic"
	"time"

	"github.com/flywheel-stack/flywheel/catalog"
	"github.com/flywheel-stack/flywheel/clock"
)

// DefaultInterval is the time between two sampling rounds when Options
// sets none.
const DefaultInterval = 15 * time.Second

// GPUMode says which GPU tools the sampler runs.
type GPUMode string

// GPU modes.
const (
	// GPUAuto runs nvidia-smi and rocm-smi, each where it is installed;
	// the default.
	GPUAuto GPUMode = "auto"
	// GPUNVIDIA runs nvidia-smi only.
	GPUNVIDIA GPUMode = "nvidia"
	// GPUAMD runs rocm-smi only.
	GPUAMD GPUMode = "amd"
	// GPUOff samples no GPU.
	GPUOff GPUMode = "off"
)

// Options configure a Sampler.
type Options struct {
	// Interval is the time between two rounds. Default DefaultInterval.
	Interval time.Duration
	// Timeout bounds each tool run and each scrape. Default the shorter of
	// Interval and catalog.DefaultToolTimeout.
	Timeout time.Duration
	// GPU says which GPU tools run. Default GPUAuto.
	GPU GPUMode
	// Backends are the backends whose /metrics are read; those of a kind
	// without metrics (see Scraped) are left out.
	Backends []Backend
	// Runner runs nvidia-smi and rocm-smi; nil means catalog.ExecRunner.
	Runner catalog.Runner
	// Client reads /metrics; nil means a private client without
	// keep-alives.
	Client *http.Client
	// Clock times the rounds; nil means the real clock.
	Clock clock.Clock
	// Logger receives the sources' transitions; nil means slog.Default().
	Logger *slog.Logger
	// OnSample, if set, is called with every round's snapshot, one round
	// at a time, in order (FeedSLOs returns one for the resource SLOs).
	OnSample func(Snapshot)
}

// Sampler reads the GPUs and the backends' metrics at an interval and
// keeps the latest snapshot. Its methods are safe for concurrent use.
type Sampler struct {
	opts     Options
	detector catalog.Detector
	gpus     []gpuSource
	backends []backendSource

	round sync.Mutex // one round at a time; guards the sources
	last  atomic.Pointer[Snapshot]
}

type gpuSource struct {
	vendor catalog.Vendor
	asked  bool // named by the GPU mode, not found by auto
	src    source
}

type backendSource struct {
	b   Backend
	src source
}

// New returns a sampler; nothing runs until Run or SampleNow. The error
// is about opts only (an unknown GPU mode, a backend without a name or
// named twice), never about a source.
func New(opts Options) (*Sampler, error) {
	if opts.Interval < 0 || opts.Timeout < 0 {
		return nil, fmt.Errorf("resource: interval and timeout must be >= 0, got %s and %s", opts.Interval, opts.Timeout)
	}
	if opts.Interval == 0 {
		opts.Interval = DefaultInterval
	}
	if opts.Timeout == 0 {
		opts.Timeout = min(opts.Interval, catalog.DefaultToolTimeout)
	}
	if opts.Client == nil {
		opts.Client = &http.Client{Transport: &http.Transport{DisableKeepAlives: true, Proxy: http.ProxyFromEnvironment}}
	}
	opts.Clock = clock.OrReal(opts.Clock)
	if opts.Logger == nil {
		opts.Logger = slog.Default()
	}
	s := &Sampler{opts: opts, detector: catalog.Detector{Runner: opts.Runner, Timeout: opts.Timeout}}
	switch opts.GPU {
	case GPUAuto, "":
		s.gpus = []gpuSource{{vendor: catalog.VendorNVIDIA}, {vendor: catalog.VendorAMD}}
	case GPUNVIDIA:
		s.gpus = []gpuSource{{vendor: catalog.VendorNVIDIA, asked: true}}
	case GPUAMD:
		s.gpus = []gpuSource{{vendor: catalog.VendorAMD, asked: true}}
	case GPUOff:
	default:
		return nil, fmt.Errorf("resource: GPU mode %q unknown (want auto, nvidia, amd or off)", opts.GPU)
	}
	for i := range s.gpus {
		s.gpus[i].src.name = catalog.GPUTool(s.gpus[i].vendor)
	}
	seen := map[string]bool{}
	for _, b := range opts.Backends {
		if b.Name == "" || seen[b.Name] {
			return nil, fmt.Errorf("resource: backend name %q empty or repeated", b.Name)
		}
		seen[b.Name] = true
		if Scraped(b.Kind) {
			s.backends = append(s.backends, backendSource{b: b, src: source{name: "backend " + b.Name}})
		}
	}
	return s, nil
}

// Interval returns the time between two rounds.
func (s *Sampler) Interval() time.Duration { return s.opts.Interval }

// Run samples at once, then every interval after the end of the previous
// round, until ctx is done. It returns at once after the first round when
// every source is off (no GPU tool, no backend with metrics).
func (s *Sampler) Run(ctx context.Context) {
	for {
		s.SampleNow(ctx)
		if ctx.Err() != nil || s.allOff() {
			return
		}
		t := s.opts.Clock.NewTimer(s.opts.Interval)
		select {
		case <-ctx.Done():
			t.Stop()
			return
		case <-t.C():
		}
	}
}

// allOff reports whether no source is left to read.
func (s *Sampler) allOff() bool {
	s.round.Lock()
	defer s.round.Unlock()
	for _, g := range s.gpus {
		if g.src.state != SourceOff {
			return false
		}
	}
	for _, b := range s.backends {
		if b.src.state != SourceOff {
			return false
		}
	}
	return true
}

// Snapshot returns the latest round's snapshot; a zero Snapshot before the
// first round.
func (s *Sampler) Snapshot() Snapshot {
	if p := s.last.Load(); p != nil {
		return *p
	}
	return Snapshot{}
}

// Backend returns the named backend's numbers from the latest round, and
// false when that round did not read it (not sampled, off, failing, or no
// round yet). It takes no lock and does not allocate: routing may call it
// on every request.
func (s *Sampler) Backend(name string) (BackendStats, bool) {
	p := s.last.Load()
	if p == nil {
		return BackendStats{}, false
	}
	return p.Backend(name)
}

// SampleNow runs one round: every source that is not off, at once, each
// under the timeout. It stores and returns the snapshot, and calls
// OnSample. When ctx ends during the round, the round is dropped: nothing
// is logged or stored and the previous snapshot is returned.
func (s *Sampler) SampleNow(ctx context.Context) Snapshot {
	s.round.Lock()
	defer s.round.Unlock()
	at := s.opts.Clock.Now()
	type gpuRead struct {
		usage []catalog.GPUUsage
		found bool
		err   error
	}
	type backendRead struct {
		stats BackendStats
		err   error
	}
	gpuReads := make([]gpuRead, len(s.gpus))
	backendReads := make([]backendRead, len(s.backends))
	var wg sync.WaitGroup
	for i := range s.gpus {
		if s.gpus[i].src.state == SourceOff {
			continue
		}
		wg.Go(func() {
			r := &gpuReads[i]
			r.usage, r.found, r.err = s.detector.SampleGPUs(ctx, s.gpus[i].vendor)
		})
	}
	for i := range s.backends {
		if s.backends[i].src.state == SourceOff {
			continue
		}
		wg.Go(func() {
			sctx, cancel := context.WithTimeout(ctx, s.opts.Timeout)
			defer cancel()
			r := &backendReads[i]
			r.stats, r.err = scrape(sctx, s.opts.Client, s.backends[i].b, at)
		})
	}
	wg.Wait()
	if ctx.Err() != nil {
		return s.Snapshot()
	}

	snap := &Snapshot{Time: at, byName: map[string]int{}}
	log := s.opts.Logger
	for i := range s.gpus {
		g, r := &s.gpus[i], gpuReads[i]
		switch {
		case g.src.state == SourceOff:
		case !r.found:
			level := slog.LevelInfo
			if g.asked {
				level = slog.LevelWarn
			}
			g.src.off(log, level, g.src.name+" is not installed")
		case r.err != nil:
			g.src.fail(log, r.err)
		default:
			g.src.ok(log)
			snap.GPUs = append(snap.GPUs, r.usage...)
		}
		snap.Sources = append(snap.Sources, g.src.status())
	}
	for i := range s.backends {
		b, r := &s.backends[i], backendReads[i]
		switch {
		case b.src.state == SourceOff:
		case errors.Is(r.err, errMissing):
			b.src.off(log, slog.LevelInfo, r.err.Error())
		case r.err != nil:
			b.src.fail(log, r.err)
		default:
			b.src.ok(log)
			snap.byName[b.b.Name] = len(snap.Backends)
			snap.Backends = append(snap.Backends, r.stats)
		}
		snap.Sources = append(snap.Sources, b.src.status())
	}
	s.last.Store(snap)
	if s.opts.OnSample != nil {
		s.opts.OnSample(*snap)
	}
	return *snap
}
