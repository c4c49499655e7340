package gateway

import (
	"bufio"
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"

	"github.com/flywheel-stack/flywheel/resilience"
	"github.com/flywheel-stack/flywheel/telemetry"
)

// relayStream forwards a committed stream event by event, flushing each as
// it arrives. It ends cleanly only on the backend's [DONE]; a stream that
// breaks after the first chunk ends with an SSE error event and no [DONE].
func (g *Gateway) relayStream(w http.ResponseWriter, r *http.Request, up *upstream, ev *telemetry.Event) {
	h := w.Header()
	for k, v := range g.sseHeaders {
		h[k] = v
	}
	w.WriteHeader(http.StatusOK)
	cw := up.clientWriter(w)
	if !g.open.add(up) {
		up.cancel(ErrShuttingDown)
	}
	defer g.open.remove(up)
	idle := up.idle
	idleFor := orForever(up.t.backend.Timeouts.Idle)

	event := up.body
	var err error
	// clientGone: a write to the client failed, which can happen before
	// the request's context learns that the client left. backendError: the
	// backend's own error event has been forwarded and is the client's.
	clean, clientGone, backendError := false, false, false
	// pending: events written since the last flush. Each event is flushed
	// as it arrives, except that one whose successor is already in the
	// reader's buffer waits for it: the read will not block, and the two go
	// out in one write.
	pending := false
	for {
		// The idle timeout measures the backend's silence: it runs while
		// the next event is read, not while one is written to a slow
		// client (each write has its own deadline), so a client's pause is
		// never charged to the backend.
		idle.Stop()
		data := eventData(event)
		if isDoneData(data) {
			clean = true
			if pending {
				_ = cw.flush() // the drain may wait for the backend
			}
			// Before [DONE] reaches the client, which may hang up at once
			// and so cancel the upstream request with it.
			drainAfterDone(up, idle)
			if cw.write(event) == nil {
				_ = cw.flush()
			}
			break
		}
		// One scan of a content chunk; a "usage":null one is not parsed.
		usage := hasUsageKey(event)
		if usage && hasUsageObject(event) {
			if in, out := parseUsage(event); in+out > 0 {
				ev.TokensIn, ev.TokensOut = in, out
			}
		}
		if up.injects && usage && isUsageOnly(data) {
			// the usage chunk the gateway asked for, not the client
		} else {
			if up.injects && usage {
				event = stripUsageNull(event) // nor the "usage":null the request for it adds
				data = eventData(event)
			}
			captureResponse(ev, event)
			if werr := cw.write(event); werr != nil {
				err, clientGone = werr, true
				break
			}
			pending = true
		}
		if isErrorData(data) {
			err, backendError = errors.New("the backend sent an error event mid-stream"), true
			break
		}
		if pending && !eventBuffered(up.reader) {
			if ferr := cw.flush(); ferr != nil {
				err, clientGone = ferr, true
				break
			}
			pending = false
		}
		idle.Reset(idleFor)
		event, err = readEvent(up.reader, event[:0], up.t.maxEvent)
		if err != nil {
			break
		}
	}
	up.body = event // the buffer, perhaps grown, goes back to the pool

	switch {
	case clean:
		up.permit.Record(r.Context(), nil)
		ev.Status = telemetry.StatusOK
	case cw.timedOut:
		// The client did not take the stream in: its fault, not the
		// backend's. The deferred close frees the slot and cancels the
		// upstream request.
		up.permit.RecordOutcome(resilience.OutcomeIgnored, -1)
		ev.Status, ev.ErrorClass = telemetry.StatusClientError, "client_timeout"
	case clientGone || r.Context().Err() != nil:
		up.permit.RecordOutcome(resilience.OutcomeIgnored, -1) // the client left: not the backend's fault
		ev.Status, ev.ErrorClass = telemetry.StatusCancelled, "cancelled"
	default:
		if cause := context.Cause(up.actx); cause != nil {
			err = cause
		} else if err == nil || errors.Is(err, io.EOF) || errors.Is(err, io.ErrUnexpectedEOF) {
			err = errStreamCut
		}
		if errors.Is(err, ErrShuttingDown) {
			up.permit.RecordOutcome(resilience.OutcomeIgnored, -1) // the gateway's doing, not the backend's
			ev.Status, ev.ErrorClass = telemetry.StatusCancelled, errorClass(err)
		} else {
			up.permit.Record(r.Context(), resilience.AfterFirstByte(err))
			ev.Status, ev.ErrorClass = telemetry.StatusBackendError, errorClass(err)
		}
		if !backendError {
			_ = cw.write(streamErrorEvent(err))
		}
		_ = cw.flush()
	}
}

// streamErrorEvent is the SSE error event that tells the client its stream
// failed after it started.
func streamErrorEvent(err error) []byte {
	typ, code, msg := "upstream_error", "stream_cut", "The upstream stream failed after it started: "+err.Error()
	switch {
	case errors.Is(err, ErrShuttingDown):
		typ, code, msg = "server_error", "server_shutdown", "The gateway is shutting down; this answer is incomplete."
	case errors.Is(err, errEventTooLarge):
		code = "event_too_large"
	case errors.Is(err, context.DeadlineExceeded):
		code = "upstream_timeout"
	}
	buf := make([]byte, 0, 160)
	buf = append(buf, `data: {"error":{"message":`...)
	buf = appendJSONString(buf, msg)
	buf = append(buf, `,"type":"`...)
	buf = append(buf, typ...)
	buf = append(buf, `","param":null,"code":"`...)
	buf = append(buf, code...)
	buf = append(buf, "\"}}\n\n"...)
	return buf
}

// errEventTooLarge ends a stream one of whose events is longer than its
// backend's max_event_bytes: an event is buffered whole before it is
// forwarded, and a backend must not make the gateway buffer without bound.
var errEventTooLarge = errors.New("the backend sent an SSE event larger than its max_event_bytes")

// readEvent reads one SSE event (its lines up to and including the blank
// line that ends it) into buf. Comment-only events (": keep-alive") are
// returned too, so they reach the client. An event longer than limit bytes
// is an error (errEventTooLarge), found before buf grows much past it.
func readEvent(r *bufio.Reader, buf []byte, limit int) ([]byte, error) {
	lineStart := len(buf)
	for {
		line, err := r.ReadSlice('\n')
		buf = append(buf, line...)
		if len(buf) > limit {
			return buf, fmt.Errorf("%w (%d bytes)", errEventTooLarge, limit)
		}
		if errors.Is(err, bufio.ErrBufferFull) {
			continue // a line longer than the reader's buffer: its rest follows
		}
		if err != nil {
			if len(buf) > 0 && errors.Is(err, io.EOF) {
				return buf, io.ErrUnexpectedEOF
			}
			return buf, err
		}
		// Only a whole line can be the blank one that ends the event, not
		// the "\n" or "\r\n" tail of a line longer than the buffer.
		line, lineStart = buf[lineStart:], len(buf)
		if (len(line) == 1 || (len(line) == 2 && line[0] == '\r')) && len(bytes.TrimSpace(buf)) > 0 {
			return buf, nil
		}
		if len(bytes.TrimSpace(buf)) == 0 {
			buf, lineStart = buf[:0], 0 // stray blank lines between events
		}
	}
}

// eventData returns the data of an SSE event's first data line.
func eventData(event []byte) []byte {
	for len(event) > 0 {
		line := event
		if i := bytes.IndexByte(event, '\n'); i >= 0 {
			line, event = event[:i], event[i+1:]
		} else {
			event = nil
		}
		if d, ok := bytes.CutPrefix(line, []byte("data:")); ok {
			return bytes.TrimSpace(d)
		}
	}
	return nil
}

// isDoneData reports whether an event's data is the [DONE] end marker.
func isDoneData(data []byte) bool { return string(data) == "[DONE]" }

func isErrorEvent(event []byte) bool { return isErrorData(eventData(event)) }

// isErrorData reports whether an event's data is an error object.
func isErrorData(data []byte) bool { return bytes.HasPrefix(data, []byte(`{"error"`)) }

// isUsageOnly reports whether an event's data is the usage chunk that
// stream_options.include_usage adds: usage and an empty choices list.
func isUsageOnly(d []byte) bool {
	return bytes.Contains(d, []byte(`"usage"`)) && (bytes.Contains(d, []byte(`"choices":[]`)) || bytes.Contains(d, []byte(`"choices": []`)))
}

// hasUsageKey reports whether b contains "usage" (quotes included). It
// looks for the rare 'u' rather than the quote that bytes.Contains would
// stop at every few bytes of a JSON chunk.
func hasUsageKey(b []byte) bool {
	for {
		i := bytes.IndexByte(b, 'u')
		if i < 0 {
			return false
		}
		if i > 0 && b[i-1] == '"' && bytes.HasPrefix(b[i:], []byte(`usage"`)) {
			return true
		}
		b = b[i+1:]
	}
}

// hasUsageObject reports whether a chunk carries a "usage" object, as the
// last chunk does; the other chunks of a stream that asked for usage carry
// "usage":null, which is not one.
func hasUsageObject(data []byte) bool {
	for {
		i := bytes.Index(data, []byte(`"usage"`))
		if i < 0 {
			return false
		}
		data = bytes.TrimLeft(data[i+len(`"usage"`):], " \t\r\n")
		if len(data) > 0 && data[0] == ':' {
			if v := bytes.TrimLeft(data[1:], " \t\r\n"); len(v) > 0 && v[0] == '{' {
				return true
			}
		}
	}
}

// eventBuffered reports whether r's buffer holds a whole event, so that
// reading it cannot block. r must be at the start of an event.
func eventBuffered(r *bufio.Reader) bool {
	n := r.Buffered()
	if n == 0 {
		return false
	}
	b, _ := r.Peek(n)
	// Blank lines before an event are skipped by readEvent; after its
	// first content, an empty line ("\n" or "\r\n") ends it.
	b = bytes.TrimLeft(b, " \t\r\n")
	return bytes.Contains(b, []byte("\n\n")) || bytes.Contains(b, []byte("\n\r\n"))
}

// parseUsage reads prompt_tokens and completion_tokens from the "usage"
// object of a response or chunk, without decoding the rest.
func parseUsage(body []byte) (in, out int) {
	i := bytes.LastIndex(body, []byte(`"usage"`))
	if i < 0 {
		return 0, 0
	}
	u := body[i:]
	if end := bytes.IndexByte(u, '}'); end > 0 {
		u = u[:end]
	}
	return intField(u, `"prompt_tokens"`), intField(u, `"completion_tokens"`)
}

func intField(b []byte, key string) int {
	i := bytes.Index(b, []byte(key))
	if i < 0 {
		return 0
	}
	b = bytes.TrimLeft(b[i+len(key):], " \t\r\n:")
	n := 0
	for _, c := range b {
		if c < '0' || c > '9' {
			break
		}
		n = n*10 + int(c-'0')
	}
	return n
}
