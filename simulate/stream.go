package simulate

import (
	"net/http"
	"strconv"
	"time"
)

// streamSpec describes one SSE answer.
type streamSpec struct {
	// chat selects chat.completion.chunk events (with a first event that
	// carries the role); otherwise text_completion events.
	chat         bool
	answer       answer
	promptTokens int
	includeUsage bool
}

// events is the number of JSON events in the stream, [DONE] excluded.
func (sp *streamSpec) events() int {
	n := sp.answer.tokens + 1 // tokens, then the finish_reason event
	if sp.chat {
		n++ // the role event
	}
	if sp.includeUsage {
		n++
	}
	return n
}

// serveStream sends an answer as server-sent events: (for chat) a role
// event, one event per token, a finish_reason event, a usage event when
// asked for, then [DONE]. The first token comes after TTFT, each next one
// 1/TokensPerSecond later; CutAfterChunks ends the stream early.
func (s *Server) serveStream(w http.ResponseWriter, r *http.Request, sc *scratch, f *Faults, sp streamSpec) {
	h := w.Header()
	h["Content-Type"] = contentTypeSSE
	h["Cache-Control"] = noCache
	w.WriteHeader(http.StatusOK)
	flush := flusher(w)
	flush()
	s.stats.add(&s.stats.streams, 1)
	start := s.clk.Now()

	p := append(sc.prefix[:0], `data: {"id":"`...)
	if sp.chat {
		p = s.appendID(p, "chatcmpl-")
		p = append(p, `","object":"chat.completion.chunk","created":`...)
	} else {
		p = s.appendID(p, "cmpl-")
		p = append(p, `","object":"text_completion","created":`...)
	}
	p = strconv.AppendInt(p, start.Unix(), 10)
	p = append(p, `,"model":`...)
	p = append(p, sc.model...)
	p = append(p, `,"system_fingerprint":"`+systemFingerprint+`","choices":[`...)
	sc.prefix = p

	interval := f.tokenInterval()
	total := sp.events()
	first := 0 // event index of token 0
	if sp.chat {
		first = 1
	}
	for k := 0; k <= total; k++ {
		if f.CutAfterChunks > 0 && k == f.CutAfterChunks {
			s.stats.add(&s.stats.streamsCut, 1)
			abortConn(w, false)
			return
		}
		if i := k - first; k == 0 || (i > 0 && i < sp.answer.tokens && interval > 0) {
			offset := f.TTFT
			if i > 0 {
				offset += time.Duration(i) * interval
			}
			if !s.wait(r, offset-s.clk.Since(start)) {
				s.giveUp(w)
				return
			}
		}
		var b []byte
		if k == total {
			b = append(sc.out[:0], "data: [DONE]\n\n"...)
		} else {
			b = sp.appendEvent(append(sc.out[:0], sc.prefix...), k-first)
		}
		sc.out = b
		if _, err := w.Write(b); err != nil {
			s.giveUp(w)
			return
		}
		flush()
		// Once [DONE] is out the stream is complete, whatever the client
		// does next; before it, a client that left has cancelled.
		if k < total && r.Context().Err() != nil {
			s.giveUp(w)
			return
		}
	}
	s.stats.add(&s.stats.completed, 1)
}

// appendEvent appends the rest of event i (after the shared prefix): i < 0
// is the role event, 0 ≤ i < tokens a token, then the finish_reason event
// and the usage event.
func (sp *streamSpec) appendEvent(b []byte, i int) []byte {
	a := &sp.answer
	switch {
	case i == a.tokens+1:
		b = append(b, `],"usage":`...)
		b = appendUsage(b, sp.promptTokens, a.tokens)
		return append(b, "}\n\n"...)
	case i < 0:
		b = append(b, `{"index":0,"delta":{"role":"assistant","content":"","refusal":null},"logprobs":null,"finish_reason":null}]`...)
	case i < a.tokens && sp.chat:
		b = append(b, `{"index":0,"delta":{"content":"`...)
		b = a.appendToken(b, i)
		b = append(b, `"},"logprobs":null,"finish_reason":null}]`...)
	case i < a.tokens:
		b = append(b, `{"text":"`...)
		b = a.appendToken(b, i)
		b = append(b, `","index":0,"logprobs":null,"finish_reason":null}]`...)
	case sp.chat:
		b = append(b, `{"index":0,"delta":{},"logprobs":null,"finish_reason":"`...)
		b = append(b, a.finish...)
		b = append(b, `"}]`...)
	default:
		b = append(b, `{"text":"","index":0,"logprobs":null,"finish_reason":"`...)
		b = append(b, a.finish...)
		b = append(b, `"}]`...)
	}
	if sp.includeUsage {
		return append(b, `,"usage":null}`+"\n\n"...)
	}
	return append(b, "}\n\n"...)
}

// flusher returns a function that flushes w to the client.
func flusher(w http.ResponseWriter) func() {
	if f, ok := w.(http.Flusher); ok {
		return f.Flush
	}
	rc := http.NewResponseController(w)
	return func() { _ = rc.Flush() }
}
