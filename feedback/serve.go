package feedback

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"

	"github.com/flywheel-stack/flywheel/internal/apierror"
	"github.com/flywheel-stack/flywheel/store"
)

// response is the 200's body.
type response struct {
	FeedbackID string `json:"feedback_id"`
	// Duplicate is true when the idempotency key was seen before on the
	// same inference or episode, with the same feedback: nothing was
	// written, and FeedbackID is the first write's.
	Duplicate bool `json:"duplicate"`
}

// Disabled is the answer of a gateway without a store.
var Disabled = apierror.Error{Status: http.StatusServiceUnavailable, Type: "server_error", Code: "feedback_disabled",
	Message: "Feedback is not stored by this gateway: it runs without a store."}

// ServeFeedback validates, stores and acknowledges one piece of feedback.
func (h *Handler) ServeFeedback(w http.ResponseWriter, r *http.Request, live Pending) {
	if h == nil || h.st == nil {
		apierror.Write(w, Disabled)
		return
	}
	body, err := io.ReadAll(http.MaxBytesReader(w, r.Body, MaxBody))
	if err != nil {
		var tooLarge *http.MaxBytesError
		if errors.As(err, &tooLarge) {
			apierror.Write(w, apierror.Error{Status: http.StatusRequestEntityTooLarge, Type: "invalid_request_error", Code: "request_too_large",
				Message: fmt.Sprintf("The feedback body is larger than the %d bytes this gateway accepts.", MaxBody)})
		}
		return // the client went away
	}
	f, apiErr := h.parse(body)
	if apiErr != nil {
		apierror.Write(w, *apiErr)
		return
	}
	ctx, cancel := context.WithTimeout(r.Context(), Timeout)
	defer cancel()
	if apiErr := h.checkTarget(ctx, w, &f, live); apiErr != nil {
		apierror.Write(w, *apiErr)
		return
	}
	stored, created, err := h.st.WriteFeedback(ctx, f)
	if err != nil {
		h.log.Error("feedback not stored", "store", h.st.Location(), "error", err)
		apierror.Write(w, storeUnavailable(h.st, w))
		return
	}
	if !created && !stored.SamePayload(&f) {
		apierror.Write(w, keyReused(f, stored))
		return
	}
	out, _ := json.Marshal(response{FeedbackID: stored.ID, Duplicate: !created})
	w.Header().Set("Content-Type", "application/json")
	_, _ = w.Write(append(out, '\n'))
}

func storeUnavailable(st Store, w http.ResponseWriter) apierror.Error {
	w.Header().Set("Retry-After", "5")
	return apierror.Error{Status: http.StatusServiceUnavailable, Type: "server_error", Code: "store_unavailable",
		Message: fmt.Sprintf("The feedback could not be stored: the store (%s) is unavailable. Nothing was recorded; retry shortly.", st.Location())}
}

// keyReused is the 409 for an idempotency key sent again on the same
// target with other feedback.
func keyReused(f, stored store.Feedback) apierror.Error {
	target := "inference " + f.InferenceID
	if f.EpisodeID != "" {
		target = fmt.Sprintf("episode %q", f.EpisodeID)
	}
	return apierror.Error{Status: http.StatusConflict, Type: "invalid_request_error", Param: "idempotency_key", Code: "idempotency_key_reused",
		Message: fmt.Sprintf("The idempotency_key %q was already used on %s for different feedback (%s, stored as %s); nothing was written. "+
			"Send the same feedback to repeat it, or a new key for new feedback.", f.IdempotencyKey, target, describe(stored), stored.ID)}
}

// describe names a feedback's metric and value, for messages.
func describe(f store.Feedback) string {
	switch {
	case f.Value != nil:
		return fmt.Sprintf("metric %q = %g", f.Metric, *f.Value)
	default:
		return fmt.Sprintf("metric %q", f.Metric)
	}
}
