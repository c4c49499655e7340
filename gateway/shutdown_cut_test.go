package gateway

import (
	"context"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/flywheel-stack/flywheel/backend"
)

// TestCutAtShutdownAnswers503: a plain request that the server cuts when
// its shutdown grace runs out (its context cancelled with ErrShuttingDown)
// gets a 503 in the OpenAI shape, not net/http's empty 200; one whose
// client went away gets nothing written.
func TestCutAtShutdownAnswers503(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name  string
		cause error
		want  int
	}{
		{"shutdown", ErrShuttingDown, http.StatusServiceUnavailable},
		{"client gone", context.Canceled, http.StatusOK}, // nothing written: the recorder's default
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			local, remote := newFakeBackend(t), newFakeBackend(t)
			local.answer(local.hangAnswer())
			h := newHarness(t, defaultTargets, nil, local, remote)
			ctx, cancel := context.WithCancelCause(context.Background())
			defer cancel(nil)
			req := httptest.NewRequest(http.MethodPost, "/v1/chat/completions",
				strings.NewReader(`{"model":"coder","messages":[]}`)).WithContext(ctx)
			rec := httptest.NewRecorder()
			done := make(chan struct{})
			go func() {
				defer close(done)
				h.gw.serveProxy(rec, req, backend.Chat)
			}()
			waitFor(t, "the request to reach local", func() bool { return local.calls.Load() == 1 })
			cancel(tc.cause)
			<-done
			if rec.Code != tc.want {
				t.Fatalf("status %d, want %d; body %s", rec.Code, tc.want, rec.Body)
			}
			if tc.want == http.StatusServiceUnavailable {
				var e struct{ Error struct{ Type, Code string } }
				if err := json.Unmarshal(rec.Body.Bytes(), &e); err != nil || e.Error.Code != "server_shutdown" {
					t.Fatalf("body %s: %v, want an OpenAI error with code server_shutdown", rec.Body, err)
				}
			} else if rec.Body.Len() != 0 {
				t.Fatalf("a request whose client went away got a body: %s", rec.Body)
			}
		})
	}
}
