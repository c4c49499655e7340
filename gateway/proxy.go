package gateway

import (
	"bufio"
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/flywheel-stack/flywheel/backend"
	"github.com/flywheel-stack/flywheel/clock"
	"github.com/flywheel-stack/flywheel/resilience"
	"github.com/flywheel-stack/flywheel/telemetry"
	"github.com/google/uuid"
)

var (
	errBusy              = errors.New("backend is at its max_concurrent bound")
	errFirstTokenTimeout = timeoutError("no first token within the first_token timeout")
	errIdleTimeout       = timeoutError("no chunk within the idle timeout")
	errTotalTimeout      = timeoutError("the answer took longer than the total timeout")
	errStreamCut         = errors.New("the backend's stream ended before its end marker")
	errEmptyStream       = errors.New("the backend's stream ended before its first chunk")
)

// timeoutError matches context.DeadlineExceeded, so breakers count it as a
// failure and retry presets treat it as transient.
type timeoutError string

func (e timeoutError) Error() string      { return string(e) }
func (timeoutError) Is(target error) bool { return target == context.DeadlineExceeded }
func (timeoutError) Timeout() bool        { return true }

// maxResponseBody bounds a non-streamed answer the gateway buffers.
const maxResponseBody = 64 << 20

func (g *Gateway) proxyHandler(ep backend.Endpoint) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) { g.serveProxy(w, r, ep) }
}

// serveProxy handles one OpenAI-compatible call from reading the body to
// recording its telemetry event.
func (g *Gateway) serveProxy(w http.ResponseWriter, r *http.Request, ep backend.Endpoint) {
	g.inFlight.Add(1)
	defer g.inFlight.Add(-1)
	ev := &telemetry.Event{Start: g.clk.Now(), Endpoint: ep.String(), Status: telemetry.StatusClientError}
	id, err := uuid.NewV7()
	if err != nil {
		id = uuid.New()
	}
	ev.InferenceID = id.String()
	ev.EpisodeID = r.Header.Get(HeaderEpisodeID)
	if ev.EpisodeID == "" {
		ev.EpisodeID = ev.InferenceID
	}
	h := w.Header()
	ids := []string{ev.InferenceID, ev.EpisodeID} // one allocation for both headers
	h[HeaderInferenceID], h[HeaderEpisodeID] = ids[0:1:1], ids[1:2:2]
	if g.feedback != nil {
		// A client that got the whole answer may send feedback before the
		// deferred Record below has handed the event to the writer.
		g.live.add(ids[0], ids[1])
	}
	defer func() {
		ev.End = g.clk.Now()
		g.sink.Record(ev)
		if g.feedback != nil {
			g.live.remove(ids[0], ids[1])
		}
	}()

	fail := func(e apiError, class string) {
		ev.HTTPStatus, ev.ErrorClass = e.Status, class
		writeError(w, e)
	}
	if !g.clientAuth(w, r) {
		ev.HTTPStatus, ev.ErrorClass = http.StatusUnauthorized, "unauthorized"
		return
	}
	body, err := readAll(http.MaxBytesReader(w, r.Body, g.maxBody), r.ContentLength, g.maxBody)
	if err != nil {
		var tooLarge *http.MaxBytesError
		if errors.As(err, &tooLarge) {
			fail(apiError{Status: http.StatusRequestEntityTooLarge, Type: "invalid_request_error", Code: "request_too_large",
				Message: fmt.Sprintf("The request body is larger than the %d bytes this gateway accepts.", g.maxBody)}, "too_large")
			return
		}
		ev.Status, ev.ErrorClass = telemetry.StatusCancelled, "cancelled"
		g.shuttingDown(w, r.Context(), ev)
		return
	}
	f, err := scanRequest(body)
	if err != nil {
		fail(badRequest("We could not parse the JSON body of your request: "+err.Error()+".", "", "invalid_json"), "bad_request")
		return
	}
	if f.modelEnd == 0 || f.model == "" {
		fail(badRequest("You must provide a model parameter.", "model", "missing_model"), "bad_request")
		return
	}
	rt, ok := g.lookup(f.model)
	if !ok {
		fail(apiError{Status: http.StatusNotFound, Type: "invalid_request_error", Param: "model", Code: "model_not_found",
			Message: fmt.Sprintf("The model %q does not exist on this gateway. Available models: %s.", f.model,
				strings.Join(g.modelNames, ", "))}, "model_not_found")
		return
	}
	ev.Route, ev.User = rt.name, f.user
	if ev.User == "" {
		ev.User = r.Header.Get(HeaderUser)
	}
	g.capture(ev, body)
	ev.Stream = f.stream && ep != backend.Embeddings
	g.forward(w, r, ep, rt, body, f, ev)
}

// forward tries the route's targets in order and answers from the first
// that works, or with the degraded answer.
func (g *Gateway) forward(w http.ResponseWriter, r *http.Request, ep backend.Endpoint, rt *route, body []byte,
	f requestFields, ev *telemetry.Event) {
	ctx := r.Context()
	busy := 0
	var lastErr error
	var buf [maxStackTargets]*target
	for i, t := range g.order(rt, &buf) {
		up, n, err := g.tryTarget(ctx, ep, t, body, f, ev.Stream)
		ev.Attempts += n
		ev.Backend, ev.Model, ev.FallbackDepth = t.backend.Name, t.model, i
		if err == nil {
			ev.AddTried(t.backend.Name, t.model, telemetry.OutcomeAnswered)
			g.respond(w, r, up, ev)
			return
		}
		if ctx.Err() != nil {
			ev.AddTried(t.backend.Name, t.model, telemetry.OutcomeCancelled)
			ev.Status, ev.ErrorClass = telemetry.StatusCancelled, "cancelled"
			g.shuttingDown(w, ctx, ev)
			return
		}
		ev.AddTried(t.backend.Name, t.model, targetOutcome(n))
		if errors.Is(err, errBusy) {
			busy++
		}
		lastErr = err
		g.log.Debug("target failed", "route", rt.name, "target", t.key, "error", err)
	}
	ev.ErrorClass = errorClass(lastErr)
	if busy == len(rt.targets) {
		ev.HTTPStatus = http.StatusTooManyRequests
		ev.Status = telemetry.StatusDegraded
		w.Header().Set("Retry-After", "1")
		writeError(w, apiError{Status: http.StatusTooManyRequests, Type: "rate_limit_error", Code: "backends_busy",
			Message: "Every backend of this model is at its concurrency limit; retry shortly."})
		return
	}
	g.degrade(w, rt, ev)
}

// targetOutcome is the outcome of a target that returned an error after n
// attempts reached its backend: failed when one did (the backend's fault,
// whatever stopped the retries after it), rejected when none did (its
// breaker was open or its backend busy).
func targetOutcome(n int) telemetry.Outcome {
	if n > 0 {
		return telemetry.OutcomeFailed
	}
	return telemetry.OutcomeRejected
}

// shuttingDown answers a request that the server cut at shutdown (its
// context's cause is ErrShuttingDown) with a 503 in the OpenAI shape, so
// that the client, which is still there, does not take net/http's empty
// 200 for an answer. A request whose client went away gets nothing.
func (g *Gateway) shuttingDown(w http.ResponseWriter, ctx context.Context, ev *telemetry.Event) {
	if !errors.Is(context.Cause(ctx), ErrShuttingDown) {
		return
	}
	ev.HTTPStatus, ev.ErrorClass = http.StatusServiceUnavailable, "server_shutdown"
	w.Header().Set("Retry-After", "1")
	writeError(w, apiError{Status: http.StatusServiceUnavailable, Type: "server_error", Code: "server_shutdown",
		Message: "The gateway is shutting down; retry on another replica or shortly."})
}

// degrade sends the route's degraded answer, with Retry-After set from the
// earliest instant one of its breakers lets calls through again.
func (g *Gateway) degrade(w http.ResponseWriter, rt *route, ev *telemetry.Event) {
	ev.Status, ev.HTTPStatus = telemetry.StatusDegraded, rt.degraded.Status
	h := w.Header()
	h.Set(HeaderDegraded, "true")
	h.Set(HeaderAttempts, strconv.Itoa(ev.Attempts))
	now := g.clk.Now()
	var earliest time.Time
	for _, t := range rt.targets {
		s := t.breaker.Snapshot()
		if s.State == resilience.StateOpen && s.OpenUntil.After(now) && (earliest.IsZero() || s.OpenUntil.Before(earliest)) {
			earliest = s.OpenUntil
		}
	}
	if !earliest.IsZero() {
		secs := int64((earliest.Sub(now) + time.Second - 1) / time.Second)
		h.Set("Retry-After", strconv.FormatInt(max(secs, 1), 10))
	}
	writeError(w, apiError{Status: rt.degraded.Status, Message: rt.degraded.Message, Type: "degraded", Code: "degraded"})
}

// upstream is a target's answer the gateway has committed to: a buffered
// body, or a stream whose first event has been read.
type upstream struct {
	t      *target
	resp   *http.Response
	body   []byte // the whole answer (not streaming) or the first event
	reader *bufio.Reader
	permit resilience.Permit
	cancel context.CancelCauseFunc
	actx   context.Context
	// firstToken, total and (once the first event is in) idle bound the
	// attempt, on the gateway's clock.
	firstToken, total, idle clock.Timer
	// totalBy is when the total timeout ends, on the wall clock: client
	// writes' deadlines (set on the connection) never pass it.
	totalBy time.Time
	// pool and bufs, for a stream: where its reader and event buffer go
	// back when it is closed.
	pool    *streamPool
	bufs    *streamBuffers
	stream  bool
	ttft    time.Time
	injects bool // the gateway asked for include_usage; the client did not
	// cw writes the answer to the client.
	cw clientWriter
}

// close stops the attempt's timers, releases its context and the backend's
// concurrency slot.
func (u *upstream) close() {
	u.stopTimers()
	u.cancel(nil)
	_ = u.resp.Body.Close()
	u.t.backend.Release()
	if u.bufs != nil {
		u.pool.put(u.bufs, u.body)
		u.bufs, u.body, u.reader = nil, nil, nil
	}
}

// stopTimers stops the attempt's timers.
func (u *upstream) stopTimers() {
	u.firstToken.Stop()
	u.total.Stop()
	if u.idle != nil {
		u.idle.Stop()
	}
}

// tryTarget sends the request to one target through its retry policy and
// breaker. It returns the committed answer, the number of attempts that
// reached the backend, or the last error.
func (g *Gateway) tryTarget(ctx context.Context, ep backend.Endpoint, t *target, body []byte, f requestFields,
	stream bool) (*upstream, int, error) {
	inject := stream && !f.hasStreamOptions
	payload := rewriteModel(body, f, t.model, inject)
	attempts := 0
	// The retry loop knows the target's breaker: the policy holds it open
	// for a Retry-After, and does not sleep into its rejection.
	up, err := resilience.RetryWithBreaker(ctx, t.backend.Retrier, t.breaker, func(ctx context.Context) (*upstream, error) {
		return g.attempt(ctx, ep, t, payload, stream, inject, &attempts)
	})
	return up, attempts, err
}

// attempt makes one upstream call. Before its first chunk (or, not
// streaming, its whole body) any failure is returned so the caller can retry
// or move on; nothing has reached the client yet.
func (g *Gateway) attempt(ctx context.Context, ep backend.Endpoint, t *target, payload []byte, stream, inject bool,
	attempts *int) (*upstream, error) {
	permit, err := t.breaker.Allow()
	if err != nil {
		return nil, resilience.Permanent(err) // this target is out: the next one, at once
	}
	b := t.backend
	if !b.Acquire() {
		permit.RecordOutcome(resilience.OutcomeIgnored, 0)
		return nil, resilience.Permanent(errBusy)
	}
	*attempts++
	actx, cancel := context.WithCancelCause(ctx)
	up := &upstream{t: t, permit: permit, cancel: cancel, actx: actx, stream: stream, injects: inject}
	to := b.Timeouts
	firstToken := g.clk.AfterFunc(orForever(to.FirstToken), func() { cancel(errFirstTokenTimeout) })
	up.firstToken, up.total = firstToken, g.clk.AfterFunc(orForever(to.Total), func() { cancel(errTotalTimeout) })
	up.totalBy = time.Now().Add(orForever(to.Total))
	failed := func(err error) (*upstream, error) {
		if cause := context.Cause(actx); cause != nil && ctx.Err() == nil {
			err = cause
		}
		permit.Record(ctx, err)
		up.stopTimers()
		cancel(nil)
		b.Release()
		if errors.Is(err, context.DeadlineExceeded) {
			// A target that timed out would likely time out again: move on
			// to the next one rather than make the client wait twice.
			return nil, resilience.Permanent(err)
		}
		return nil, err
	}

	u, err := t.url(ep)
	if err != nil {
		return failed(resilience.Permanent(err))
	}
	accept := g.jsonValue
	if stream {
		accept = g.sseValue
	}
	resp, err := send(b.Client, backendRequest(actx, u, payload, g.jsonValue, accept, t.auth))
	if err != nil {
		return failed(err)
	}
	up.resp = resp
	if resilience.IsFailureStatus(resp.StatusCode) {
		data, _ := io.ReadAll(io.LimitReader(resp.Body, 64<<10))
		_ = resp.Body.Close()
		se := &resilience.StatusError{Code: resp.StatusCode, Status: resp.Status}
		g.log.Debug("backend error status", "target", t.key, "status", resp.StatusCode, "body", string(bytes.TrimSpace(data)))
		now := g.clk.Now()
		if at, ok := resilience.ParseRetryAfter(resp.Header, now); ok {
			se.Until = at
			if at.After(now) {
				// The breaker is held open until then (at most
				// max_open_for), whatever the retry preset: no retry
				// would get through before, so the request moves on at
				// once rather than wait, and the next requests skip the
				// target until then.
				t.breaker.HoldOpenUntil(at, t.key+" answered "+strconv.Itoa(resp.StatusCode)+" with Retry-After")
				return failed(resilience.Permanent(se))
			}
		}
		return failed(se)
	}
	if isTargetFault(resp.StatusCode) || isRedirect(resp.StatusCode) {
		data, _ := io.ReadAll(io.LimitReader(resp.Body, 64<<10))
		_ = resp.Body.Close()
		g.log.Warn("backend refused the target: check the model name and the backend's API key", "target", t.key,
			"status", resp.StatusCode, "body", string(bytes.TrimSpace(data)))
		return failed(resilience.Permanent(&resilience.StatusError{Code: resp.StatusCode, Status: resp.Status}))
	}
	if !stream || resp.StatusCode != http.StatusOK || !isEventStream(resp.Header) {
		data, err := readAll(io.LimitReader(resp.Body, maxResponseBody+1), resp.ContentLength, maxResponseBody)
		if err == nil && len(data) > maxResponseBody {
			err = resilience.Permanent(errResponseTooLarge) // cut short, it would reach the client as broken JSON
		}
		if err == nil && resp.StatusCode < 300 {
			err = checkAnswer(resp.Header, data)
		}
		if err != nil {
			_ = resp.Body.Close()
			return failed(err)
		}
		up.body, up.ttft, up.stream = data, g.clk.Now(), false
		if resp.StatusCode >= 400 {
			permit.RecordOutcome(resilience.OutcomeIgnored, -1) // the request's fault, not the backend's
		} else {
			permit.Record(ctx, nil)
		}
		firstToken.Stop()
		return up, nil
	}
	bufs := g.streams.get(resp.Body)
	up.reader = bufs.reader
	first, err := readFirstEvent(up.reader, bufs.event, t.maxEvent)
	if err == nil && len(first) > 0 {
		err = checkFirstEvent(first)
	}
	if err != nil || len(first) == 0 {
		_ = resp.Body.Close()
		g.streams.put(bufs, first)
		if err == nil || errors.Is(err, io.EOF) {
			err = errEmptyStream
		}
		return failed(err)
	}
	if isErrorEvent(first) {
		_ = resp.Body.Close()
		err := fmt.Errorf("backend sent an error event before its first chunk: %s", bytes.TrimSpace(first))
		g.streams.put(bufs, first) // after the message is built: the buffer is reused
		return failed(err)
	}
	firstToken.Stop()
	up.body, up.ttft, up.pool, up.bufs = first, g.clk.Now(), &g.streams, bufs
	up.idle = g.clk.AfterFunc(orForever(to.Idle), func() { cancel(errIdleTimeout) })
	return up, nil
}

func orForever(d time.Duration) time.Duration {
	if d <= 0 {
		return 100 * 365 * 24 * time.Hour
	}
	return d
}

func isEventStream(h http.Header) bool {
	return strings.HasPrefix(h.Get("Content-Type"), "text/event-stream")
}

// respond sends a committed answer to the client.
func (g *Gateway) respond(w http.ResponseWriter, r *http.Request, up *upstream, ev *telemetry.Event) {
	h := w.Header()
	h[HeaderBackend] = up.t.backendHeader
	h[HeaderAttempts] = g.attemptsHeader(ev.Attempts)
	ev.TimeToFirstToken = up.ttft.Sub(ev.Start)
	ev.HTTPStatus = up.resp.StatusCode
	if up.stream {
		defer up.close()
		g.relayStream(w, r, up, ev)
		return
	}
	// The whole answer is in hand: the backend's slot is free before the
	// client reads it, however slowly.
	up.close()
	if ct := up.resp.Header["Content-Type"]; len(ct) > 0 && ct[0] != "" {
		h["Content-Type"] = ct[:1:1] // the backend's own value, not copied
	}
	h.Set("Content-Length", strconv.Itoa(len(up.body)))
	cw := up.clientWriter(w)
	// The backend is done: the client gets idle per write whatever is left
	// of the attempt's total timeout.
	cw.totalBy = time.Time{}
	w.WriteHeader(up.resp.StatusCode)
	_ = cw.write(up.body)
	if ev.ResponseBody != nil {
		ev.ResponseBody = up.body // captured: the writer copies it
	}
	switch {
	case cw.timedOut:
		ev.Status, ev.ErrorClass = telemetry.StatusClientError, "client_timeout"
	case up.resp.StatusCode >= 400:
		ev.Status, ev.ErrorClass = telemetry.StatusBackendError, "status_"+strconv.Itoa(up.resp.StatusCode)
	default:
		ev.Status = telemetry.StatusOK
		ev.TokensIn, ev.TokensOut = parseUsage(up.body)
	}
}
