package gateway

import (
	"net/http"

	"github.com/flywheel-stack/flywheel/feedback"
)

// handleFeedback authenticates POST /v1/feedback and hands it to the
// feedback endpoint, with the requests being served: a client may send
// feedback on an answer it holds before its event is recorded.
func (g *Gateway) handleFeedback(w http.ResponseWriter, r *http.Request) {
	if !g.clientAuth(w, r) {
		return
	}
	if g.feedback == nil {
		writeError(w, feedback.Disabled)
		return
	}
	g.feedback.ServeFeedback(w, r, &g.live)
}
