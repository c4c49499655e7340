package loadgen

import (
	"io"
	"log"
	"net/http/httptest"
	"testing"

	"github.com/flywheel-stack/flywheel/simulate"
	"go.uber.org/goleak"
)

func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }

// newSim starts a simulated backend answering at once, with the given
// faults, and returns its URL and the server.
func newSim(t *testing.T, f simulate.Faults) (string, *simulate.Server) {
	t.Helper()
	srv, err := simulate.New(simulate.Config{Models: []string{"m"}, Faults: f, Seed: 1})
	if err != nil {
		t.Fatal(err)
	}
	ts := httptest.NewServer(srv)
	t.Cleanup(ts.Close)
	return ts.URL, srv
}

// newClient returns a client for url that is closed when the test ends.
func newClient(t *testing.T, url string) *Client {
	t.Helper()
	c, err := NewClient(Target{Name: "t", URL: url, Model: "m"}, ClientOptions{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(c.Close)
	return c
}

// quietLog drops the server's log lines about aborted handlers.
func quietLog() *log.Logger { return log.New(io.Discard, "", 0) }
