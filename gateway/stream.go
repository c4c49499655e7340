package gateway

import (
	"bufio"
	"bytes"
	"context"
	"errors"
	"io"
	"net/http"
	"strconv"

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
	rc := http.NewResponseController(w)
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
		data := eventData(event)
		if isDoneData(data) {
			clean = true
			if pending {
				_ = rc.Flush() // the drain may wait for the backend
			}
			// Before [DONE] reaches the client, which may hang up at once
			// and so cancel the upstream request with it.
			drainAfterDone(up, idle)
			if _, werr := w.Write(event); werr == nil {
				_ = rc.Flush()
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
			captureResponse(ev, event)
			if _, werr := w.Write(event); werr != nil {
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
			if ferr := rc.Flush(); ferr != nil {
				err, clientGone = ferr, true
				break
			}
			pending = false
		}
		event, err = readEvent(up.reader, event[:0])
		if err != nil {
			break
		}
		idle.Reset(idleFor)
	}
	up.body = event // the buffer, perhaps grown, goes back to the pool

	switch {
	case clean:
		up.permit.Record(r.Context(), nil)
		ev.Status = telemetry.StatusOK
	case clientGone || r.Context().Err() != nil:
		up.permit.RecordOutcome(resilience.OutcomeIgnored, -1) // the client left: not the backend's fault
		ev.Status, ev.ErrorClass = telemetry.StatusCancelled, "cancelled"
	default:
		if cause := context.Cause(up.actx); cause != nil {
			err = cause
		} else if err == nil || errors.Is(err, io.EOF) || errors.Is(err, io.ErrUnexpectedEOF) {
			err = errStreamCut
		}
		up.permit.Record(r.Context(), resilience.AfterFirstByte(err))
		ev.Status, ev.ErrorClass = telemetry.StatusBackendError, errorClass(err)
		if !backendError {
			writeStreamError(w, err)
		}
		_ = rc.Flush()
	}
}

// writeStreamError sends the SSE error event that tells the client its
// stream failed after it started.
func writeStreamError(w io.Writer, err error) {
	code := "stream_cut"
	if errors.Is(err, context.DeadlineExceeded) {
		code = "upstream_timeout"
	}
	buf := make([]byte, 0, 160)
	buf = append(buf, `data: {"error":{"message":`...)
	buf = strconv.AppendQuote(buf, "The upstream stream failed after it started: "+err.Error())
	buf = append(buf, `,"type":"upstream_error","param":null,"code":"`...)
	buf = append(buf, code...)
	buf = append(buf, "\"}}\n\n"...)
	_, _ = w.Write(buf)
}

// readEvent reads one SSE event (its lines up to and including the blank
// line that ends it) into buf. Comment-only events (": keep-alive") are
// returned too, so they reach the client.
func readEvent(r *bufio.Reader, buf []byte) ([]byte, error) {
	lineStart := len(buf)
	for {
		line, err := r.ReadSlice('\n')
		buf = append(buf, line...)
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
