package simulate

import (
	crand "crypto/rand"
	"encoding/binary"
	"errors"
	"fmt"
	"math/rand/v2"
	"net/http"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/flywheel-stack/flywheel/clock"
)

// Server is a simulated OpenAI-compatible inference server. It is an
// http.Handler, safe for concurrent use; build it with New.
type Server struct {
	clk     clock.Clock
	models  map[string][]byte // name → JSON-quoted name
	names   []string          // in configured order
	dims    int
	maxBody int64
	created int64 // Unix seconds, for /v1/models
	base    Faults

	mu     sync.Mutex // serializes fault updates
	faults atomic.Pointer[Faults]

	rngMu sync.Mutex
	rng   *rand.Rand

	idBase uint64
	idSeq  atomic.Uint64

	stats      counters
	modelsBody []byte
	pool       sync.Pool // *scratch
}

// scratch is the per-request memory a Server reuses.
type scratch struct {
	in, out, prefix, model []byte
	chat                   chatRequest
	completion             completionRequest
	embedding              embeddingRequest
}

// New returns a Server for cfg, or an error naming the first setting out of
// range.
func New(cfg Config) (*Server, error) {
	if err := cfg.Faults.validate(); err != nil {
		return nil, fmt.Errorf("simulate: faults: %w", err)
	}
	if cfg.Dimensions < 0 || cfg.Dimensions > maxDimensions {
		return nil, fmt.Errorf("simulate: dimensions %d: must be between 1 and %d", cfg.Dimensions, maxDimensions)
	}
	if cfg.MaxBodyBytes < 0 {
		return nil, fmt.Errorf("simulate: max body bytes %d: must not be negative", cfg.MaxBodyBytes)
	}
	s := &Server{
		clk:     clock.OrReal(cfg.Clock),
		models:  make(map[string][]byte, len(cfg.Models)),
		dims:    cfg.Dimensions,
		maxBody: cfg.MaxBodyBytes,
		base:    Faults{TTFT: cfg.Faults.TTFT, TokensPerSecond: cfg.Faults.TokensPerSecond},
	}
	if s.dims == 0 {
		s.dims = DefaultDimensions
	}
	if s.maxBody == 0 {
		s.maxBody = DefaultMaxBodyBytes
	}
	for _, m := range cfg.Models {
		if m == "" {
			return nil, errors.New("simulate: empty model name")
		}
		if _, dup := s.models[m]; dup {
			continue
		}
		s.models[m] = appendJSONString(nil, m)
		s.names = append(s.names, m)
	}
	var seedBytes [24]byte
	if cfg.Seed == 0 {
		_, _ = crand.Read(seedBytes[:])
	} else {
		binary.LittleEndian.PutUint64(seedBytes[:], cfg.Seed)
		binary.LittleEndian.PutUint64(seedBytes[8:], mix64(cfg.Seed))
		binary.LittleEndian.PutUint64(seedBytes[16:], mix64(cfg.Seed+1))
	}
	s.rng = rand.New(rand.NewPCG(binary.LittleEndian.Uint64(seedBytes[:]), binary.LittleEndian.Uint64(seedBytes[8:])))
	s.idBase = binary.LittleEndian.Uint64(seedBytes[16:])
	now := s.clk.Now()
	s.created = now.Unix()
	s.modelsBody = s.appendModelList(nil)
	s.pool.New = func() any { return &scratch{in: make([]byte, 0, 4096), out: make([]byte, 0, 4096)} }
	s.storeFaults(cfg.Faults, Faults{}, true, now)
	return s, nil
}

// maxPooledBytes is the largest buffer kept for reuse; a request with a
// bigger body or answer returns its buffer to the garbage collector.
const maxPooledBytes = 1 << 20

func (s *Server) putScratch(sc *scratch) {
	if cap(sc.in) > maxPooledBytes {
		sc.in = make([]byte, 0, 4096)
	}
	if cap(sc.out) > maxPooledBytes {
		sc.out = make([]byte, 0, 4096)
	}
	if cap(sc.chat.Messages) > 1024 {
		sc.chat.Messages = nil
	}
	if cap(sc.embedding.Input.items) > 1024 {
		sc.embedding.Input.items = nil
	}
	s.pool.Put(sc)
}

// Models returns the served model names; empty when any name is accepted.
func (s *Server) Models() []string { return append([]string(nil), s.names...) }

// ServeHTTP routes a request: the API under /v1, /health, and the control
// API under /_sim/.
func (s *Server) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	path := r.URL.Path
	if strings.HasPrefix(path, "/_sim/") {
		s.serveControl(w, r)
		return
	}
	rt := routeOf(path)
	s.stats.add(&s.stats.byRoute[rt], 1)
	s.stats.add(&s.stats.inFlight, 1)
	defer s.stats.add(&s.stats.inFlight, -1)

	sc := s.pool.Get().(*scratch)
	defer s.putScratch(sc)
	if e, ok := s.checkRequest(w, rt, r); !ok {
		s.reject(w, sc, e)
		return
	}
	if r.Method == http.MethodPost {
		var err error
		if sc.in, err = readBody(sc.in[:0], r, s.maxBody); err != nil {
			if errors.Is(err, errTooLarge) {
				s.reject(w, sc, invalidRequest(http.StatusRequestEntityTooLarge,
					fmt.Sprintf("Request body too large: the limit is %d bytes.", s.maxBody), "", "request_too_large"))
			} else {
				s.reject(w, sc, invalidRequest(http.StatusBadRequest, "Could not read the request body: "+err.Error(), "", ""))
			}
			return
		}
	}

	f := s.faults.Load()
	if !f.LoadingUntil.IsZero() && s.clk.Now().Before(f.LoadingUntil) {
		s.stats.add(&s.stats.loadingRejected, 1)
		setRetryAfter(w, http.StatusServiceUnavailable, f.RetryAfter)
		writeJSON(w, http.StatusServiceUnavailable, append(sc.out[:0], loadingBody...))
		return
	}
	if f.Reset {
		s.stats.add(&s.stats.resets, 1)
		abortConn(w, true)
		return
	}
	if f.Hang {
		s.stats.add(&s.stats.hangs, 1)
		<-r.Context().Done()
		s.giveUp(w)
		return
	}
	if rt == routeHealth {
		writeJSON(w, http.StatusOK, append(sc.out[:0], healthyBody...))
		s.stats.add(&s.stats.completed, 1)
		return
	}
	if f.ErrorRate > 0 && s.roll(f.ErrorRate) {
		status := f.status()
		s.stats.add(&s.stats.errorsInjected, 1)
		setRetryAfter(w, status, f.RetryAfter)
		sc.out = appendAPIError(sc.out[:0], injectedError(status))
		writeJSON(w, status, sc.out)
		return
	}
	if f.BrokenAnswer != "" && rt != routeModels {
		s.stats.add(&s.stats.brokenAnswers, 1)
		serveBroken(w, f.BrokenAnswer)
		return
	}
	switch rt {
	case routeChat:
		s.serveChat(w, r, sc, f)
	case routeCompletions:
		s.serveCompletion(w, r, sc, f)
	case routeEmbeddings:
		s.serveEmbeddings(w, r, sc, f)
	case routeModels:
		s.serveModels(w, r, sc)
	}
}

// routeOf maps a path to the route it is counted under.
func routeOf(path string) route {
	switch path {
	case "/v1/chat/completions":
		return routeChat
	case "/v1/completions":
		return routeCompletions
	case "/v1/embeddings":
		return routeEmbeddings
	case "/v1/models":
		return routeModels
	case "/health":
		return routeHealth
	}
	if strings.HasPrefix(path, "/v1/models/") {
		return routeModels
	}
	return routeOther
}

// checkRequest refuses unknown paths and wrong methods (with an Allow
// header).
func (s *Server) checkRequest(w http.ResponseWriter, rt route, r *http.Request) (apiError, bool) {
	if rt == routeOther {
		return invalidRequest(http.StatusNotFound, "Unknown request URL: "+r.Method+" "+r.URL.Path+".", "", "unknown_url"), false
	}
	want := http.MethodPost
	if rt == routeModels || rt == routeHealth {
		want = http.MethodGet
		if r.Method == http.MethodHead {
			return apiError{}, true
		}
	}
	if r.Method != want {
		w.Header()["Allow"] = []string{want}
		return invalidRequest(http.StatusMethodNotAllowed,
			"Method "+r.Method+" is not allowed on "+r.URL.Path+"; use "+want+".", "", "method_not_allowed"), false
	}
	return apiError{}, true
}

// reject answers a request the simulator refuses as the client's fault.
func (s *Server) reject(w http.ResponseWriter, sc *scratch, e apiError) {
	s.stats.add(&s.stats.badRequests, 1)
	sc.out = appendAPIError(sc.out[:0], e)
	writeJSON(w, e.status, sc.out)
}

// roll decides whether error_rate fails this request.
func (s *Server) roll(rate float64) bool {
	s.rngMu.Lock()
	x := s.rng.Float64()
	s.rngMu.Unlock()
	return x < rate
}

// model returns the JSON-quoted name to answer with, or the 400/404 for a
// missing or unknown model.
func (s *Server) model(buf []byte, name string) ([]byte, apiError, bool) {
	if name == "" {
		return nil, invalidRequest(http.StatusBadRequest, "You must provide a model parameter.", "model", ""), false
	}
	if len(s.names) == 0 {
		return appendJSONString(buf, name), apiError{}, true
	}
	if q, ok := s.models[name]; ok {
		return append(buf, q...), apiError{}, true
	}
	return nil, invalidRequest(http.StatusNotFound,
		"The model `"+name+"` does not exist or you do not have access to it. Available models: "+strings.Join(s.names, ", ")+".",
		"model", "model_not_found"), false
}

// appendID appends a fresh id: prefix and 24 hex digits.
func (s *Server) appendID(buf []byte, prefix string) []byte {
	buf = append(buf, prefix...)
	n := s.idSeq.Add(1)
	x := mix64(s.idBase ^ n)
	for shift := 60; shift >= 0; shift -= 4 {
		buf = append(buf, hexDigits[(x>>uint(shift))&0xf])
	}
	n32 := uint32(n)
	for shift := 28; shift >= 0; shift -= 4 {
		buf = append(buf, hexDigits[(n32>>uint(shift))&0xf])
	}
	return buf
}

// wait blocks for d, or until ctx is done; it reports whether the full time
// passed.
func (s *Server) wait(r *http.Request, d time.Duration) bool {
	if d <= 0 {
		return true
	}
	t := s.clk.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C():
		return true
	case <-r.Context().Done():
		return false
	}
}

// answerDelay is how long a non-streaming answer of n tokens takes: as long
// as its stream's last token would.
func answerDelay(f *Faults, n int) time.Duration {
	d := f.TTFT
	if iv := f.tokenInterval(); iv > 0 && n > 1 {
		d += time.Duration(n-1) * iv
	}
	return d
}
