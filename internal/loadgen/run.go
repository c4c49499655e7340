package loadgen

import (
	"context"
	"errors"
	"fmt"
	"io"
	"time"

	"github.com/flywheel-stack/flywheel/clock"
)

// Config is a whole `flywheel bench` run.
type Config struct {
	// Direct is the backend itself; Via is the gateway in front of it.
	Direct, Via Target
	// Rate is the open-loop rate of the short-completion phase, in
	// requests per second.
	Rate float64
	// Streams is the number of concurrent streams of the streaming phase;
	// 0 skips it.
	Streams int
	// Duration is the length of each side of each phase.
	Duration time.Duration
	// Slice is how long the short-completion phase stays on one side
	// before it switches to the other; 0 runs all of direct, then all of
	// via.
	Slice time.Duration
	// Warmup is sent to each side at Rate before measuring, to open
	// connections and warm caches; 0 skips it.
	Warmup time.Duration
	// Saturation, when set, runs a saturation search on each side.
	Saturation *SearchConfig
	// ViaPID, when above 0, is the gateway's process id: its RSS is
	// sampled during the streaming phase and read after the saturation
	// search.
	ViaPID int
	// Client tunes both sides' clients (its Clock is ignored).
	Client ClientOptions
	// Clock paces and stamps requests. nil: the real clock.
	Clock clock.Clock
	// Progress, when set, gets a line as each phase starts.
	Progress io.Writer
}

// Comparison is one phase measured on both sides.
type Comparison struct {
	// Direct and Via are the two sides' results.
	Direct PhaseResult `json:"direct"`
	Via    PhaseResult `json:"via"`
	// Added is via minus direct.
	Added Added `json:"added"`
}

// Added is what going through the gateway added, percentile by
// percentile (via minus direct; negative when via was faster).
type Added struct {
	P50           time.Duration `json:"p50_ns"`
	P99           time.Duration `json:"p99_ns"`
	FirstChunkP50 time.Duration `json:"first_chunk_p50_ns"`
	FirstChunkP99 time.Duration `json:"first_chunk_p99_ns"`
}

func compare(direct, via PhaseResult) Comparison {
	return Comparison{Direct: direct, Via: via, Added: Added{
		P50: via.Latency.P50 - direct.Latency.P50, P99: via.Latency.P99 - direct.Latency.P99,
		FirstChunkP50: via.FirstChunk.P50 - direct.FirstChunk.P50,
		FirstChunkP99: via.FirstChunk.P99 - direct.FirstChunk.P99,
	}}
}

// RSS is the gateway's memory, read from /proc.
type RSS struct {
	// PID is the process measured.
	PID int `json:"pid"`
	// PeakStreams is the highest RSS seen while the streams phase held its
	// streams open through the gateway, in bytes.
	PeakStreams int64 `json:"peak_streams_bytes,omitempty"`
	// AfterSaturation is the RSS right after the saturation search through
	// the gateway, in bytes.
	AfterSaturation int64 `json:"after_saturation_bytes,omitempty"`
}

// Report is the outcome of Run.
type Report struct {
	// Direct and Via are the two targets.
	Direct Target `json:"direct"`
	Via    Target `json:"via"`
	// Rate, Streams and Duration repeat the run's settings.
	Rate     float64       `json:"rate"`
	Streams  int           `json:"streams"`
	Duration time.Duration `json:"duration_ns"`
	// Load is the short-completion open-loop phase.
	Load Comparison `json:"load"`
	// Stream is the concurrent-streams phase, nil when skipped.
	Stream *Comparison `json:"stream,omitempty"`
	// Saturation is the search on each side, nil when skipped.
	Saturation *SaturationPair `json:"saturation,omitempty"`
	// SearchConfig is the search's bounds, when it ran.
	SearchConfig *SearchConfig `json:"search_config,omitempty"`
	// RSS is the gateway's memory when ViaPID was given.
	RSS *RSS `json:"rss,omitempty"`
}

// SaturationPair is the saturation search on both sides.
type SaturationPair struct {
	Direct Saturation `json:"direct"`
	Via    Saturation `json:"via"`
}

// Run measures both targets phase by phase: short completions in an open
// loop at Rate (the two sides alternating every Slice), then Streams
// concurrent streams (direct, then via), then (if asked) a saturation
// search on each.
func Run(ctx context.Context, cfg Config) (Report, error) {
	if cfg.Duration <= 0 {
		return Report{}, errors.New("loadgen: duration must be above 0")
	}
	if cfg.Streams < 0 {
		return Report{}, fmt.Errorf("loadgen: streams %d: must not be negative", cfg.Streams)
	}
	sched := Schedule{Rate: cfg.Rate, Duration: cfg.Duration}
	if err := sched.validate(); err != nil {
		return Report{}, err
	}
	if cfg.Saturation != nil {
		if err := cfg.Saturation.validate(); err != nil {
			return Report{}, err
		}
	}
	clk := clock.OrReal(cfg.Clock)
	opts := cfg.Client
	opts.Clock = clk
	direct, err := NewClient(cfg.Direct, opts)
	if err != nil {
		return Report{}, err
	}
	defer direct.Close()
	via, err := NewClient(cfg.Via, opts)
	if err != nil {
		return Report{}, err
	}
	defer via.Close()
	say := func(format string, args ...any) {
		if cfg.Progress != nil {
			fmt.Fprintf(cfg.Progress, format+"\n", args...)
		}
	}
	rep := Report{Direct: cfg.Direct, Via: cfg.Via, Rate: cfg.Rate, Streams: cfg.Streams, Duration: cfg.Duration}
	sides := [2]*Client{direct, via}

	if cfg.Warmup > 0 {
		for _, c := range sides {
			say("warming up %s for %v", c.target.Name, cfg.Warmup)
			w, err := OpenLoop(ctx, clk, Schedule{Rate: cfg.Rate, Duration: cfg.Warmup}, c.target.Name, c)
			if err != nil {
				return rep, err
			}
			if w.OK == 0 {
				return rep, fmt.Errorf("loadgen: %s (%s) answered no request during the warm-up: %v",
					c.target.Name, c.target.URL, w.Errors)
			}
		}
	}

	say("short completions: %g req/s for %v to each side, alternating every %v", cfg.Rate, cfg.Duration, cfg.Slice)
	load, err := Interleaved(ctx, clk, sched, cfg.Slice, []string{direct.target.Name, via.target.Name}, []Doer{direct, via})
	if err != nil {
		return rep, err
	}
	rep.Load = compare(load[0], load[1])
	if err := ctx.Err(); err != nil {
		return rep, err
	}

	if cfg.ViaPID > 0 {
		rep.RSS = &RSS{PID: cfg.ViaPID}
	}
	if cfg.Streams > 0 {
		var st [2]PhaseResult
		for i, c := range sides {
			say("%d concurrent streams to %s for %v", cfg.Streams, c.target.Name, cfg.Duration)
			var stop func() int64
			if i == 1 && rep.RSS != nil {
				stop = peakRSS(ctx, cfg.ViaPID, 50*time.Millisecond)
			}
			st[i] = RunStreams(ctx, clk, cfg.Streams, cfg.Duration, c.target.Name, c)
			if stop != nil {
				rep.RSS.PeakStreams = stop()
			}
		}
		cmp := compare(st[0], st[1])
		rep.Stream = &cmp
		if err := ctx.Err(); err != nil {
			return rep, err
		}
	}

	if cfg.Saturation != nil {
		sc := *cfg.Saturation
		rep.SearchConfig = &sc
		var sat [2]Saturation
		for i, c := range sides {
			say("saturation search on %s from %g req/s", c.target.Name, sc.Start)
			if sat[i], err = Search(ctx, clk, sc, c.target.Name, c); err != nil {
				return rep, err
			}
		}
		rep.Saturation = &SaturationPair{Direct: sat[0], Via: sat[1]}
		if rep.RSS != nil {
			if v, err := ReadRSS(cfg.ViaPID); err == nil {
				rep.RSS.AfterSaturation = v
			}
		}
	}
	return rep, nil
}
