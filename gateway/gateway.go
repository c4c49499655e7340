// Package gateway is Flywheel's OpenAI-compatible front door: one endpoint
// in front of local and remote models. Each request goes to the first target
// of its route that is up, through that target's breaker and retry policy,
// falls back along the route's chain, and gets the route's degraded answer
// when nothing is left. Streams are forwarded chunk by chunk and never
// buffered; once the first chunk has gone to the client a failure cannot be
// hidden, and the client gets an SSE error event instead of a clean end.
package gateway

import (
	"log/slog"
	"net/http"
	"net/url"
	"os"
	"sort"
	"strconv"
	"sync/atomic"

	"github.com/flywheel-stack/flywheel/backend"
	"github.com/flywheel-stack/flywheel/clock"
	"github.com/flywheel-stack/flywheel/config"
	"github.com/flywheel-stack/flywheel/feedback"
	"github.com/flywheel-stack/flywheel/resilience"
	"github.com/flywheel-stack/flywheel/telemetry"
)

// Options configures a Gateway.
type Options struct {
	// Config is the loaded configuration: backends, routes, server limits.
	Config *config.Config
	// Breakers is where each target's breaker comes from, keyed
	// "backend/model": New fetches every target's breaker from it once, so
	// that a registry kept across a configuration reload carries the
	// breakers' state over. nil: a registry is made whose breakers follow
	// their backends' breaker sections.
	Breakers *resilience.Registry
	// Sink receives one event per finished request. nil: none.
	Sink telemetry.Sink
	// Feedback, if set, serves POST /v1/feedback (package feedback). nil:
	// that endpoint answers 503.
	Feedback feedback.Endpoint
	// Logger receives structured logs. nil: slog.Default().
	Logger *slog.Logger
	// Clock is the time source. nil: the real clock.
	Clock clock.Clock
	// Getenv reads the API keys and admin token variables. nil: os.Getenv.
	Getenv func(string) string
	// OnBreakerChange, if set, is told about every breaker transition
	// (after the gateway's own log line). It must not block.
	OnBreakerChange func(resilience.Transition)
}

// Gateway serves the OpenAI-compatible API. Create it with New; it is safe
// for concurrent use.
type Gateway struct {
	cfg        *config.Config
	backends   map[string]*backend.Backend
	routes     map[string]*route
	direct     map[string]*route // "backend/model" addresses one target
	modelNames []string          // routes and direct targets, sorted, for errors
	breakers   *resilience.Registry
	sink       telemetry.Sink
	feedback   feedback.Endpoint
	live       liveInferences // requests in progress, for feedback that beats their event
	log        *slog.Logger
	clk        clock.Clock
	apiKeys    keySet
	adminToken keySet
	maxBody    int64
	inFlight   atomic.Int64
	// attempts holds the X-Flywheel-Attempts values 0..maxCachedAttempts
	// and sseHeaders the headers of every relayed stream, built once:
	// header values shared across responses are never modified (each
	// slice's capacity is its length, so an Add copies).
	attempts   [][]string
	sseHeaders map[string][]string
	// jsonValue and sseValue are the Content-Type and Accept values of
	// backend requests, shared like attempts.
	jsonValue, sseValue []string
	// streams recycles the readers and event buffers of relayed streams.
	streams streamPool
	// open are the streams being relayed, ended by CloseStreams.
	open openStreams
	// demoted are the backends an SLO's page alert demotes (SetDemoted).
	demoted demotions
}

// maxCachedAttempts bounds the attempt counts whose header value is built
// once.
const maxCachedAttempts = 16

// attemptsHeader returns the X-Flywheel-Attempts value for n attempts.
func (g *Gateway) attemptsHeader(n int) []string {
	if n >= 0 && n < len(g.attempts) {
		return g.attempts[n]
	}
	return []string{strconv.Itoa(n)}
}

// route is a model name clients ask for and its fallback chain.
type route struct {
	name     string
	targets  []*target
	degraded config.Degraded
}

// target is one (backend, model) pair.
type target struct {
	backend *backend.Backend
	model   string
	key     string // backend/model: the breaker's key
	// breaker is the target's own, fetched from the registry once.
	breaker *resilience.Breaker
	// maxEvent bounds one SSE event of a stream from the target.
	maxEvent int
	// backendHeader is the X-Flywheel-Backend value, built once.
	backendHeader []string
	// urls are the backend's URLs of the proxied endpoints, parsed once;
	// auth is the Authorization value sent to it (nil: none).
	urls [backend.Embeddings + 1]*url.URL
	auth []string
	// demoted is the backend's demotion flag (see demotions).
	demoted *atomic.Bool
}

// url returns the target's URL of an endpoint.
func (t *target) url(ep backend.Endpoint) (*url.URL, error) {
	if int(ep) < len(t.urls) && t.urls[ep] != nil {
		return t.urls[ep], nil
	}
	return url.Parse(t.backend.URL(ep))
}

// New builds a gateway from opts. It validates the configuration first: a
// setting that would fail a request later (a breaker or retry section out
// of range, a route without targets or naming an unknown backend) is an
// error here, naming its key.
func New(opts Options) (*Gateway, error) {
	cfg := opts.Config
	if cfg == nil {
		cfg = config.Default()
	}
	if err := validate(cfg); err != nil {
		return nil, err
	}
	getenv := opts.Getenv
	if getenv == nil {
		getenv = os.Getenv
	}
	g := &Gateway{
		cfg: cfg, backends: map[string]*backend.Backend{}, routes: map[string]*route{}, direct: map[string]*route{},
		breakers: opts.Breakers, sink: opts.Sink, log: opts.Logger, clk: clock.OrReal(opts.Clock), feedback: opts.Feedback,
		demoted:    demotions{flags: map[string]*atomic.Bool{}},
		apiKeys:    newKeySet(splitKeys(getenv(cfg.Server.APIKeysEnv))),
		adminToken: newKeySet([]string{getenv(cfg.Server.AdminTokenEnv)}),
		maxBody:    int64(cfg.Server.MaxBodyBytes),
	}
	if g.log == nil {
		g.log = slog.Default()
	}
	for n := range maxCachedAttempts + 1 {
		g.attempts = append(g.attempts, []string{strconv.Itoa(n)})
	}
	g.jsonValue, g.sseValue = []string{"application/json"}, []string{"text/event-stream"}
	g.sseHeaders = map[string][]string{
		"Content-Type": {"text/event-stream"}, "Cache-Control": {"no-cache"}, "X-Accel-Buffering": {"no"},
	}
	if g.sink == nil {
		g.sink = telemetry.Sinks(nil)
	}
	if g.maxBody <= 0 {
		g.maxBody = 4 << 20
	}
	backendCfg := map[string]config.Backend{}
	for _, bc := range cfg.Backends {
		b, err := backend.NewWithClock(bc, getenv, opts.Clock)
		if err != nil {
			return nil, err
		}
		g.backends[bc.Name] = b
		backendCfg[bc.Name] = bc
		g.demoted.flags[bc.Name] = new(atomic.Bool)
	}
	if g.breakers == nil {
		g.breakers = g.newRegistry(cfg, backendCfg, opts.OnBreakerChange)
	}
	for _, rc := range cfg.Routes {
		r := &route{name: rc.Name, degraded: rc.Degraded}
		for _, tc := range rc.Targets {
			key := tc.Backend + "/" + tc.Model
			if d, dup := g.direct[key]; dup {
				r.targets = append(r.targets, d.targets[0]) // one target, one breaker, however many routes name it
				continue
			}
			b, bc := g.backends[tc.Backend], backendCfg[tc.Backend]
			t := &target{backend: b, model: tc.Model, key: key, backendHeader: []string{b.Name},
				breaker: g.breakers.Get(key), maxEvent: int(bc.MaxEventBytes), demoted: g.demoted.flags[tc.Backend]}
			if t.maxEvent <= 0 {
				t.maxEvent = int(config.DefaultMaxEventBytes)
			}
			for ep := range t.urls {
				t.urls[ep], _ = url.Parse(b.URL(backend.Endpoint(ep))) // on error: parsed per request, which fails it
			}
			if key := b.APIKey(); key != "" {
				t.auth = []string{"Bearer " + key}
			}
			r.targets = append(r.targets, t)
			g.direct[key] = &route{name: key, targets: []*target{t}, degraded: rc.Degraded}
		}
		g.routes[rc.Name] = r
	}
	for name := range g.routes {
		g.modelNames = append(g.modelNames, name)
	}
	for name := range g.direct {
		if _, clash := g.routes[name]; !clash {
			g.modelNames = append(g.modelNames, name)
		}
	}
	sort.Strings(g.modelNames)
	return g, nil
}

// newRegistry makes the breaker registry of a gateway given none: each
// target's breaker follows its backend's breaker section, and every
// transition is logged, then passed to onChange.
func (g *Gateway) newRegistry(cfg *config.Config, backends map[string]config.Backend,
	onChange func(resilience.Transition)) *resilience.Registry {
	perTarget := map[string]resilience.BreakerConfig{}
	for _, rc := range cfg.Routes {
		for _, tc := range rc.Targets {
			perTarget[tc.Backend+"/"+tc.Model] = backends[tc.Backend].BreakerConfig()
		}
	}
	return resilience.NewRegistry(resilience.RegistryConfig{
		Clock:     g.clk,
		Overrides: perTarget,
		OnStateChange: func(t resilience.Transition) {
			g.log.Warn("breaker state changed", "breaker", t.Breaker, "from", t.From.String(), "to", t.To.String(),
				"reason", t.Reason, "open_until", t.OpenUntil)
			if onChange != nil {
				onChange(t)
			}
		},
	})
}

// InFlight returns the number of OpenAI-compatible requests being served.
func (g *Gateway) InFlight() int64 { return g.inFlight.Load() }

// Breakers returns the gateway's breaker registry (for health checks, the
// admin API and metrics).
func (g *Gateway) Breakers() *resilience.Registry { return g.breakers }

// Backends returns the configured backends by name.
func (g *Gateway) Backends() map[string]*backend.Backend { return g.backends }

// Routes returns the route names and, for each, its targets as
// "backend/model", in chain order.
func (g *Gateway) Routes() map[string][]string {
	out := map[string][]string{}
	for name, r := range g.routes {
		for _, t := range r.targets {
			out[name] = append(out[name], t.key)
		}
	}
	return out
}

// lookup finds the route a model name addresses: a route name first, then a
// "backend/model" target.
func (g *Gateway) lookup(model string) (*route, bool) {
	if r, ok := g.routes[model]; ok {
		return r, true
	}
	r, ok := g.direct[model]
	return r, ok
}

// Register mounts the OpenAI-compatible API and the admin API on mux.
func (g *Gateway) Register(mux *http.ServeMux) {
	mux.HandleFunc("POST /v1/chat/completions", g.proxyHandler(backend.Chat))
	mux.HandleFunc("POST /v1/completions", g.proxyHandler(backend.Completions))
	mux.HandleFunc("POST /v1/embeddings", g.proxyHandler(backend.Embeddings))
	mux.HandleFunc("GET /v1/models", g.handleModels)
	mux.HandleFunc("POST /v1/feedback", g.handleFeedback)
	mux.HandleFunc("GET /v1/models/{model...}", g.handleModel)
	mux.Handle("GET /admin/v1/breakers", g.adminAuth(http.HandlerFunc(g.handleBreakers)))
	mux.Handle("POST /admin/v1/breakers/{key...}", g.adminAuth(http.HandlerFunc(g.handleBreakerAction)))
	g.registerErrors(mux)
}
