// Package feedback is POST /v1/feedback: what people (or programs) say
// about an inference or a whole episode. It validates a request against
// feedback.metrics, checks that its inference or episode is known (being
// served, queued by the telemetry writer, or stored), and writes it to the
// store durably before the 200.
//
// The gateway depends on the Endpoint interface only; it authenticates the
// request and passes the inferences it is serving.
package feedback

import (
	"context"
	"log/slog"
	"net/http"
	"time"

	"github.com/flywheel-stack/flywheel/clock"
	"github.com/flywheel-stack/flywheel/config"
	"github.com/flywheel-stack/flywheel/store"
)

// Endpoint serves POST /v1/feedback for the gateway.
type Endpoint interface {
	// ServeFeedback handles one request the gateway has authenticated.
	// live knows the requests the gateway is serving, whose inference
	// ids a client may already hold.
	ServeFeedback(w http.ResponseWriter, r *http.Request, live Pending)
}

// Pending reports inferences that exist but may not be in the store yet:
// the requests being served (the gateway) and the events queued for
// writing (store/writer.Writer).
type Pending interface {
	// Pending reports whether the inference is being served or queued.
	Pending(inferenceID string) bool
	// PendingEpisode reports whether an inference of the episode is.
	PendingEpisode(episodeID string) bool
}

// Store is what feedback needs of a store.Store.
type Store interface {
	WriteFeedback(ctx context.Context, f store.Feedback) (stored store.Feedback, created bool, err error)
	Inference(ctx context.Context, id string) (store.Inference, error)
	HasEpisode(ctx context.Context, episode string) (bool, error)
	Location() string
}

// Options configure a Handler.
type Options struct {
	// Store keeps the feedback; it is written before the 200. Required.
	Store Store
	// Queued knows the inferences recorded but not yet in the store (the
	// telemetry writer). nil: only live and stored inferences are known.
	Queued Pending
	// Metrics are feedback.metrics: the names and types feedback may use.
	Metrics []config.Metric
	// Logger receives the handler's logs. nil: slog.Default().
	Logger *slog.Logger
	// Clock stamps the feedback. nil: the real clock.
	Clock clock.Clock
}

// Handler is the Endpoint over a Store.
type Handler struct {
	st      Store
	queued  Pending
	metrics []config.Metric
	log     *slog.Logger
	clk     clock.Clock
}

var _ Endpoint = (*Handler)(nil)

// Limits of a feedback request.
const (
	// MaxBody bounds a request body.
	MaxBody = 1 << 20
	// Timeout bounds the store's part: a store that does not answer (a
	// partitioned network) gets a 503 in this time rather than holding
	// the client.
	Timeout = 10 * time.Second
)

// New returns the handler for opts.
func New(opts Options) *Handler {
	if opts.Logger == nil {
		opts.Logger = slog.Default()
	}
	return &Handler{st: opts.Store, queued: opts.Queued, metrics: opts.Metrics, log: opts.Logger, clk: clock.OrReal(opts.Clock)}
}
