package demo

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"strings"
	"sync"
	"time"

	"github.com/flywheel-stack/flywheel/config"
	"github.com/flywheel-stack/flywheel/internal/server"
	"github.com/flywheel-stack/flywheel/store"
	"github.com/flywheel-stack/flywheel/telemetry"
	"github.com/google/uuid"
)

// Defaults of Options.
const (
	DefaultDuration = 30 * time.Second
	DefaultRate     = 20.0
)

// maxInFlight bounds the demo client's outstanding requests.
const maxInFlight = 64

// Options configure a run. The zero value runs the standard demo: 30 s at
// 20 requests/s with plain progress lines.
type Options struct {
	// Duration is how long traffic runs; 0 means 30 s. The primary goes
	// down at a third of it and comes back at two thirds.
	Duration time.Duration
	// Rate is the requests sent per second, evenly spaced; 0 means 20.
	Rate float64
	// Progress selects the progress display.
	Progress ProgressMode
	// ShowConfig prints the generated flywheel.yaml before the run.
	ShowConfig bool
	// Logger receives the gateway's logs; nil discards them.
	Logger *slog.Logger
	// Sinks receive the gateway's telemetry events besides its metrics.
	Sinks []telemetry.Sink
	// Reports add sections to the summary.
	Reports []Report
	// DataDir is the folder of the demo's SQLite store and of the
	// flywheel.yaml it generates; both are kept after the run, and each
	// run adds to the store. "" means DefaultDataDir.
	DataDir string
	// Command is how the summary names the flywheel binary in the commands
	// it suggests; "" means "flywheel".
	Command string
}

func (o *Options) setDefaults() {
	if o.Duration <= 0 {
		o.Duration = DefaultDuration
	}
	if o.Rate <= 0 {
		o.Rate = DefaultRate
	}
	if o.Logger == nil {
		o.Logger = slog.New(slog.DiscardHandler)
	}
	if o.DataDir == "" {
		o.DataDir = DefaultDataDir
	}
	if o.Command == "" {
		o.Command = "flywheel"
	}
}

// Run plays the demo, writing its progress and summary to out, and returns
// the summary. Cancelling ctx ends the traffic early; the summary covers
// what ran. Everything it started is stopped before it returns.
func Run(ctx context.Context, out io.Writer, opts Options) (sum *Summary, err error) {
	opts.setDefaults()
	data, err := prepareData(opts.DataDir)
	if err != nil {
		return nil, err
	}

	// The backends stop when Run is done with them, not when ctx ends:
	// requests in flight at an interrupt still get their answers.
	backends, err := startBackends(context.WithoutCancel(ctx), demoBackends())
	if err != nil {
		return nil, err
	}
	defer func() { err = errors.Join(err, stopBackends(backends)) }()
	primary := backends[0]

	routes := demoRoutes()
	cfg, cfgText, err := buildConfig(backends, routes, opts.Duration, data.db)
	if err != nil {
		return nil, err
	}
	if err := data.writeConfig(cfgText); err != nil {
		return nil, err
	}
	st, err := openStore(ctx, cfg)
	if err != nil {
		return nil, err
	}
	defer func() { err = errors.Join(err, st.Close()) }()
	start := time.Now()
	tl := newTimeline(start)
	gw, err := startGateway(ctx, cfg, tl, opts, st)
	if err != nil {
		return nil, err
	}
	defer gw.stop()
	gatewayURL := gw.url

	writeBanner(out, gatewayURL, backends, routes, opts)
	fmt.Fprintf(out, "Every request is recorded in %s, and some answers get feedback.\n", displayPath(data.db))
	if opts.ShowConfig {
		fmt.Fprintf(out, "\nThe generated flywheel.yaml:\n\n%s\n", cfgText)
	}

	// Traffic, the outage and the display, until the duration is over.
	tr := &http.Transport{MaxIdleConnsPerHost: maxInFlight, IdleConnTimeout: 30 * time.Second}
	run := runMark{since: time.Now().Add(-time.Second), tag: uuid.NewString()[:8]}
	c := &client{http: &http.Client{Transport: tr}, base: gatewayURL, runTag: run.tag}
	rec := newRecorder(routes)
	fb := newFeedbackSender(c)
	start = time.Now()
	tl.restart(start)
	runCtx, endRun := context.WithTimeout(gw.failed, opts.Duration)
	defer endRun()
	var wg sync.WaitGroup
	var (
		outageAt  outageTimes
		outageErr error
	)
	wg.Add(1)
	go func() {
		defer wg.Done()
		outageAt, outageErr = outage(runCtx, primary, tl, start, opts.Duration)
	}()
	stopDisplay := make(chan struct{})
	displayDone := make(chan struct{})
	d := &display{out: out, mode: opts.Progress, total: opts.Duration, start: start, tl: tl, rec: rec,
		breaker: primaryName + "/" + primaryModel}
	fmt.Fprintln(out)
	go func() { defer close(displayDone); d.run(stopDisplay) }()

	ran := min(drive(runCtx, c, rec, fb, start, opts.Rate, maxInFlight, 5*time.Second), opts.Duration)
	interrupted := ctx.Err() != nil
	endRun()
	wg.Wait()
	close(stopDisplay)
	<-displayDone

	// Close the client's idle connections first (net/http's graceful
	// shutdown waits 5 s for a connection that never sent a request),
	// then stop the gateway, which writes the telemetry still queued; the
	// backends stop when Run returns.
	tr.CloseIdleConnections()
	serveErr := gw.stop()
	if serveErr != nil {
		return nil, serveErr
	}
	if outageErr != nil {
		return nil, outageErr
	}

	sum = summarize(rec.all(), rec, ran, phases(outageAt, ran), tl.allTransitions())
	sum.Interrupted = interrupted
	storage, storeErr := data.measure(context.WithoutCancel(ctx), st, run, gw.srv.Registry, fb.result())
	if storeErr != nil {
		sum.Sections = append(sum.Sections, Section{Title: "Stored", Lines: []string{"unavailable: " + storeErr.Error()}})
	} else {
		sum.Storage = storage
		sum.Sections = append(sum.Sections, storage.section(sum.Requests, opts.Command))
	}
	slos, sloErr := sloResults(context.WithoutCancel(ctx), cfg, st, gw.srv.SLOs(), gw.srv.Registry, start, time.Now())
	if sloErr != nil {
		sum.Sections = append(sum.Sections, Section{Title: "SLOs", Lines: []string{"unavailable: " + sloErr.Error()}})
	} else {
		sum.SLOs = slos
		sum.Sections = append(sum.Sections, sloSection(slos, shellPath(displayPath(data.config)), opts.Command))
	}
	for _, report := range opts.Reports {
		sec, err := report(context.WithoutCancel(ctx), cfg)
		if err != nil {
			sec = Section{Title: sec.Title, Lines: []string{"unavailable: " + err.Error()}}
		}
		sum.Sections = append(sum.Sections, sec)
	}
	if err := sum.Write(out); err != nil {
		return sum, err
	}
	if storeErr != nil {
		return sum, storeErr
	}
	fmt.Fprintf(out, "\nThe gateway and the simulated backends have stopped. Next: `flywheel serve` in front of\n"+
		"your own models (docs/gateway.md), or `flywheel simulate` to chaos-test a client (docs/simulator.md).\n")
	return sum, nil
}

// gatewayRun is the real gateway (`flywheel serve`'s server), serving on a
// free loopback port.
type gatewayRun struct {
	url string
	srv *server.Server
	// failed ends when the gateway stops serving by itself, or ctx ends.
	failed context.Context
	stop   func() error
}

// startGateway builds the server from cfg, recording to st as `flywheel
// serve` does, and serves it until stop. Its breaker transitions go to tl.
func startGateway(ctx context.Context, cfg *config.Config, tl *timeline, opts Options, st store.Store) (*gatewayRun, error) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return nil, fmt.Errorf("demo: listen on loopback: %w", err)
	}
	srv, err := server.New(cfg, server.Options{Listener: ln, Logger: opts.Logger, Getenv: demoEnv,
		ShutdownGrace: 5 * time.Second, OnBreakerChange: tl.breakerChanged, Sinks: opts.Sinks, Store: st})
	if err != nil {
		_ = ln.Close()
		return nil, fmt.Errorf("demo: gateway: %w", err)
	}
	serveCtx, stopServing := context.WithCancel(context.WithoutCancel(ctx))
	failed, fail := context.WithCancel(ctx)
	served := make(chan error, 1)
	go func() {
		err := srv.Serve(serveCtx)
		fail()
		served <- err
	}()
	var once sync.Once
	var serveErr error
	stop := func() error {
		once.Do(func() {
			stopServing()
			if err := <-served; err != nil {
				serveErr = fmt.Errorf("demo: gateway: %w", err)
			}
			// Serve flushed the telemetry writer on its way out; Close
			// makes sure of it even when Serve failed before it started.
			fctx, cancel := context.WithTimeout(context.Background(), 15*time.Second)
			defer cancel()
			if err := srv.Close(fctx); err != nil {
				serveErr = errors.Join(serveErr, fmt.Errorf("demo: flush the telemetry: %w", err))
			}
		})
		return serveErr
	}
	return &gatewayRun{url: "http://" + ln.Addr().String(), srv: srv, failed: failed, stop: stop}, nil
}

// demoEnv is the environment the demo's gateway sees: the remote's key and
// nothing else, so that the user's own FLYWHEEL_API_KEYS cannot lock the
// demo's client out.
func demoEnv(name string) string {
	if name == remoteKeyEnv {
		return "sk-flywheel-demo"
	}
	return ""
}

// outageTimes are when the outage actually began and ended, from the
// start of the run; 0 when the run ended first.
type outageTimes struct{ down, back time.Duration }

// outage takes the primary down at a third of the run and brings it back
// at two thirds, or whenever the run ends early.
func outage(ctx context.Context, primary *simBackend, tl *timeline, start time.Time, total time.Duration) (outageTimes, error) {
	var ot outageTimes
	at := func(d time.Duration) bool {
		t := time.NewTimer(time.Until(start.Add(d)))
		defer t.Stop()
		select {
		case <-t.C:
			return true
		case <-ctx.Done():
			return false
		}
	}
	if !at(total / 3) {
		return ot, nil
	}
	if err := primary.takeDown(); err != nil {
		return ot, fmt.Errorf("demo: take %s down: %w", primary.name, err)
	}
	ot.down = time.Since(start)
	tl.note(ot.down, true, primary.name+" goes down: every connection to it is reset")
	back := at(2 * total / 3)
	if err := primary.bringBack(); err != nil {
		return ot, fmt.Errorf("demo: bring %s back: %w", primary.name, err)
	}
	if back {
		ot.back = time.Since(start)
		tl.note(ot.back, false, primary.name+" is back")
	}
	return ot, nil
}

// phases splits a run of length ran at the outage.
func phases(ot outageTimes, ran time.Duration) []phaseSpan {
	switch {
	case ot.down == 0:
		return []phaseSpan{{primaryName + " up", 0, ran}}
	case ot.back == 0:
		return []phaseSpan{{primaryName + " up", 0, ot.down}, {primaryName + " down", ot.down, ran}}
	}
	return []phaseSpan{{primaryName + " up", 0, ot.down}, {primaryName + " down", ot.down, ot.back},
		{primaryName + " back", ot.back, ran}}
}

// writeBanner says what runs where and what will happen.
func writeBanner(out io.Writer, gatewayURL string, bs []*simBackend, routes []route, opts Options) {
	fmt.Fprintf(out, "Flywheel demo: the gateway in front of three simulated backends, for %s.\n\n", opts.Duration)
	fmt.Fprintf(out, "  %-12s %s/v1\n", "gateway", gatewayURL)
	for _, b := range bs {
		fmt.Fprintf(out, "  %-12s %s  %s: %s\n", b.name, b.url, b.model, b.about)
	}
	fmt.Fprintln(out)
	for _, r := range routes {
		chain := make([]string, len(r.targets))
		for i, t := range r.targets {
			chain[i] = t[0]
		}
		fmt.Fprintf(out, "  route %-10s %s\n", r.name, strings.Join(chain, " -> "))
	}
	third := opts.Duration / 3
	fmt.Fprintf(out, "\n%g requests/s, half of them streamed. %s goes down at %s and comes back at %s.\n",
		opts.Rate, primaryName, third, 2*third)
}
