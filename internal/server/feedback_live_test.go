package server

import (
	"bufio"
	"fmt"
	"io"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/flywheel-stack/flywheel/telemetry"
)

// gateSink holds each streamed event in Record until released, as a slow
// sink (or a descheduled goroutine) would: the client has the whole stream
// while the event is not queued for the store yet.
type gateSink struct {
	entered chan string
	release chan struct{}
}

func (g *gateSink) Record(e *telemetry.Event) {
	if !e.Stream {
		return
	}
	g.entered <- e.InferenceID
	<-g.release
}

// TestFeedbackBeforeTheEventIsRecorded sends feedback after a stream's
// [DONE] but before the gateway has handed the event to the telemetry
// writer: the inference is known from its arrival, so it is accepted.
func TestFeedbackBeforeTheEventIsRecorded(t *testing.T) {
	gate := &gateSink{entered: make(chan string, 1), release: make(chan struct{})}
	s := newStoreServerEnv(t, storeConfig, nil, gate)
	srv, front := s.srv, s.base
	released := false
	release := func() {
		if !released {
			released = true
			close(gate.release)
		}
	}
	defer release()

	resp, err := http.Post(front+"/v1/chat/completions", "application/json",
		strings.NewReader(`{"model":"chat","stream":true,"messages":[{"role":"user","content":"hi"}]}`))
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	id, episode := resp.Header.Get("X-Flywheel-Inference-Id"), resp.Header.Get("X-Flywheel-Episode-Id")
	sc := bufio.NewScanner(resp.Body)
	for sc.Scan() && sc.Text() != "data: [DONE]" {
	}
	if sc.Err() != nil {
		t.Fatal(sc.Err())
	}
	select {
	case got := <-gate.entered:
		if got != id {
			t.Fatalf("recorded %s, answered %s", got, id)
		}
	case <-time.After(10 * time.Second):
		t.Fatal("the event never reached the sinks")
	}
	if srv.Telemetry.Pending(id) {
		t.Fatal("the writer has the event already: the test does not cover the window")
	}
	for _, body := range []string{
		fmt.Sprintf(`{"inference_id":%q,"metric":"thumbs_up","value":true}`, id),
		fmt.Sprintf(`{"episode_id":%q,"metric":"rating","value":5}`, episode),
	} {
		fresp, err := http.Post(front+"/v1/feedback", "application/json", strings.NewReader(body))
		if err != nil {
			t.Fatal(err)
		}
		b, _ := io.ReadAll(fresp.Body)
		fresp.Body.Close()
		if fresp.StatusCode != http.StatusOK {
			t.Errorf("feedback %s while the event is being recorded: %d %s", body, fresp.StatusCode, b)
		}
	}
	release()
	_, _ = io.Copy(io.Discard, resp.Body)
}
