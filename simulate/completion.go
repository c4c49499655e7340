package simulate

import (
	"net/http"
	"strconv"
)

// serveCompletion answers POST /v1/completions (the legacy text API). A
// prompt given as an array is one prompt: the answer has one choice.
func (s *Server) serveCompletion(w http.ResponseWriter, r *http.Request, sc *scratch, f *Faults) {
	req := &sc.completion
	*req = completionRequest{}
	if !s.decode(w, sc, req, &req.Model) {
		return
	}
	a := newAnswer(req.Prompt.hash, req.MaxTokens)
	if req.Stream {
		s.serveStream(w, r, sc, f, streamSpec{answer: a, promptTokens: req.Prompt.tokens, includeUsage: req.StreamOptions.IncludeUsage})
		return
	}
	if !s.wait(r, answerDelay(f, a.tokens)) {
		s.giveUp(w)
		return
	}
	b := append(sc.out[:0], `{"id":"`...)
	b = s.appendID(b, "cmpl-")
	b = append(b, `","object":"text_completion","created":`...)
	b = strconv.AppendInt(b, s.clk.Now().Unix(), 10)
	b = append(b, `,"model":`...)
	b = append(b, sc.model...)
	b = append(b, `,"choices":[{"text":"`...)
	b = a.appendText(b)
	b = append(b, `","index":0,"logprobs":null,"finish_reason":"`...)
	b = append(b, a.finish...)
	b = append(b, `"}],"usage":`...)
	b = appendUsage(b, req.Prompt.tokens, a.tokens)
	b = append(b, `,"system_fingerprint":"`+systemFingerprint+`"}`+"\n"...)
	sc.out = b
	writeJSON(w, http.StatusOK, b)
	s.stats.add(&s.stats.completed, 1)
}
