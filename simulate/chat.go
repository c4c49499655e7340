package simulate

import (
	"net/http"
	"strconv"
)

// systemFingerprint is sent as system_fingerprint, as OpenAI does.
const systemFingerprint = "fp_flywheel_sim"

// serveChat answers POST /v1/chat/completions.
func (s *Server) serveChat(w http.ResponseWriter, r *http.Request, sc *scratch, f *Faults) {
	req := &sc.chat
	req.reset()
	if !s.decode(w, sc, req, &req.Model) {
		return
	}
	if len(req.Messages) == 0 {
		s.reject(w, sc, invalidRequest(http.StatusBadRequest, "'messages' must contain at least one message.", "messages", ""))
		return
	}
	hash, promptTokens := req.prompt()
	a := newAnswer(hash, req.maxTokens())
	if req.Stream {
		s.serveStream(w, r, sc, f, streamSpec{chat: true, answer: a, promptTokens: promptTokens, includeUsage: req.StreamOptions.IncludeUsage})
		return
	}
	if !s.wait(r, answerDelay(f, a.tokens)) {
		s.giveUp(w)
		return
	}
	b := append(sc.out[:0], `{"id":"`...)
	b = s.appendID(b, "chatcmpl-")
	b = append(b, `","object":"chat.completion","created":`...)
	b = strconv.AppendInt(b, s.clk.Now().Unix(), 10)
	b = append(b, `,"model":`...)
	b = append(b, sc.model...)
	b = append(b, `,"choices":[{"index":0,"message":{"role":"assistant","content":"`...)
	b = a.appendText(b)
	b = append(b, `","refusal":null},"logprobs":null,"finish_reason":"`...)
	b = append(b, a.finish...)
	b = append(b, `"}],"usage":`...)
	b = appendUsage(b, promptTokens, a.tokens)
	b = append(b, `,"system_fingerprint":"`+systemFingerprint+`"}`+"\n"...)
	sc.out = b
	writeJSON(w, http.StatusOK, b)
	s.stats.add(&s.stats.completed, 1)
}
