package feedback

import (
	"context"
	"errors"
	"fmt"
	"net/http"

	"github.com/flywheel-stack/flywheel/internal/apierror"
	"github.com/flywheel-stack/flywheel/store"
)

// checkTarget checks that the inference or episode is known: still being
// served, queued for writing, or in the store. They are asked in that
// order: a request leaves the live set only once its event is queued, and
// the queue only once the event is in the store.
func (h *Handler) checkTarget(ctx context.Context, w http.ResponseWriter, f *store.Feedback, live Pending) *apierror.Error {
	var (
		known bool
		err   error
	)
	if f.InferenceID != "" {
		if known = pending(live, f.InferenceID) || pending(h.queued, f.InferenceID); !known {
			_, err = h.st.Inference(ctx, f.InferenceID)
			known = err == nil
			if errors.Is(err, store.ErrNotFound) {
				err = nil
			}
		}
	} else {
		if known = pendingEpisode(live, f.EpisodeID) || pendingEpisode(h.queued, f.EpisodeID); !known {
			known, err = h.st.HasEpisode(ctx, f.EpisodeID)
		}
	}
	switch {
	case err != nil:
		h.log.Error("feedback target lookup failed", "store", h.st.Location(), "error", err)
		e := storeUnavailable(h.st, w)
		return &e
	case !known && f.InferenceID != "":
		return &apierror.Error{Status: http.StatusNotFound, Type: "invalid_request_error", Param: "inference_id", Code: "inference_not_found",
			Message: fmt.Sprintf("No inference %s is known to this gateway (it may be older than store.retention, or its record was dropped).", f.InferenceID)}
	case !known:
		return &apierror.Error{Status: http.StatusNotFound, Type: "invalid_request_error", Param: "episode_id", Code: "episode_not_found",
			Message: fmt.Sprintf("No inference of episode %q is known to this gateway.", f.EpisodeID)}
	}
	return nil
}

func pending(p Pending, id string) bool { return p != nil && p.Pending(id) }

func pendingEpisode(p Pending, episode string) bool { return p != nil && p.PendingEpisode(episode) }
