package loadgen

import (
	"context"
	"encoding/json"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/flywheel-stack/flywheel/simulate"
)

func TestClientCompleteAnswers(t *testing.T) {
	t.Parallel()
	url, sim := newSim(t, simulate.Faults{})
	c := newClient(t, url)
	ctx := context.Background()

	plain := c.Do(ctx, false)
	if plain.Class != "" || plain.Status != 200 {
		t.Fatalf("plain: class %q status %d, want a complete 200", plain.Class, plain.Status)
	}
	if plain.Sent.IsZero() || plain.Done.Before(plain.FirstChunk) || plain.FirstChunk.Before(plain.Sent) {
		t.Errorf("plain: instants out of order: %+v", plain)
	}

	st := c.Do(ctx, true)
	if st.Class != "" || st.Status != 200 {
		t.Fatalf("stream: class %q status %d, want a complete 200", st.Class, st.Status)
	}
	// The simulator's chat stream: a role event, one per token (capped by
	// max_tokens 16), a finish event.
	if st.Chunks < 3 || st.Chunks > DefaultMaxTokens+2 {
		t.Errorf("stream: %d chunks, want between 3 and %d", st.Chunks, DefaultMaxTokens+2)
	}
	if st.FirstChunk.IsZero() || st.FirstChunk.Before(st.Sent) || st.Done.Before(st.FirstChunk) {
		t.Errorf("stream: instants out of order: %+v", st)
	}
	wctx, cancel := context.WithTimeout(ctx, 10*time.Second)
	defer cancel()
	if s, err := sim.WaitStats(wctx, func(s simulate.Stats) bool { return s.Completed == 2 }); err != nil || s.Streams != 1 {
		t.Errorf("simulator saw %d completed, %d streams (%v); want 2 and 1", s.Completed, s.Streams, err)
	}
}

func TestClientSendsTheTargetsRequest(t *testing.T) {
	t.Parallel()
	var got struct {
		Model     string `json:"model"`
		MaxTokens int    `json:"max_tokens"`
		Stream    bool   `json:"stream"`
		Messages  []chatMessage
	}
	var auth, path string
	ts := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		path, auth = r.URL.Path, r.Header.Get("Authorization")
		_ = json.NewDecoder(r.Body).Decode(&got)
		_, _ = io.WriteString(w, `{"choices":[]}`)
	}))
	defer ts.Close()
	c, err := NewClient(Target{Name: "via", URL: ts.URL + "/v1/", Model: "coder", APIKey: "k1", MaxTokens: 5}, ClientOptions{})
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	if res := c.Do(context.Background(), false); res.Class != "" {
		t.Fatalf("class %q", res.Class)
	}
	if path != "/v1/chat/completions" || auth != "Bearer k1" {
		t.Errorf("path %q auth %q", path, auth)
	}
	if got.Model != "coder" || got.MaxTokens != 5 || got.Stream || len(got.Messages) != 1 {
		t.Errorf("body %+v", got)
	}
}

func TestClientClassifiesFailures(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name    string
		stream  bool
		handler http.HandlerFunc
		want    string
	}{
		{"error status", false, func(w http.ResponseWriter, _ *http.Request) {
			http.Error(w, `{"error":{}}`, http.StatusServiceUnavailable)
		}, "status_503"},
		{"empty body", false, func(w http.ResponseWriter, _ *http.Request) {}, ClassBadAnswer},
		{"not an event stream", true, func(w http.ResponseWriter, _ *http.Request) {
			_, _ = io.WriteString(w, `{"choices":[]}`)
		}, ClassBadAnswer},
		{"error event", true, func(w http.ResponseWriter, _ *http.Request) {
			w.Header().Set("Content-Type", "text/event-stream")
			_, _ = io.WriteString(w, "data: {\"choices\":[]}\n\ndata: {\"error\":{\"message\":\"x\"}}\n\n")
		}, ClassStreamError},
		{"no [DONE]", true, func(w http.ResponseWriter, _ *http.Request) {
			w.Header().Set("Content-Type", "text/event-stream")
			_, _ = io.WriteString(w, "data: {\"choices\":[]}\n\n")
		}, ClassStreamCut},
		{"connection cut mid-stream", true, func(w http.ResponseWriter, _ *http.Request) {
			w.Header().Set("Content-Type", "text/event-stream")
			_, _ = io.WriteString(w, "data: {\"choices\":[]}\n\n")
			w.(http.Flusher).Flush()
			panic(http.ErrAbortHandler) // closes the connection without the chunked terminator
		}, ClassStreamCut},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			ts := httptest.NewUnstartedServer(tt.handler)
			ts.Config.ErrorLog = quietLog()
			ts.Start()
			defer ts.Close()
			c := newClient(t, ts.URL)
			if got := c.Do(context.Background(), tt.stream); got.Class != tt.want {
				t.Errorf("class %q, want %q", got.Class, tt.want)
			}
		})
	}
}

func TestClientConnectionRefused(t *testing.T) {
	t.Parallel()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := l.Addr().String()
	_ = l.Close()
	c := newClient(t, "http://"+addr)
	if got := c.Do(context.Background(), false); got.Class != ClassConnect {
		t.Errorf("class %q, want %q", got.Class, ClassConnect)
	}
}

func TestClientRunEndCancels(t *testing.T) {
	t.Parallel()
	url, _ := newSim(t, simulate.Faults{Hang: true})
	c := newClient(t, url)
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan Result)
	go func() { done <- c.Do(ctx, false) }()
	cancel()
	if got := <-done; got.Class != ClassCancelled {
		t.Errorf("class %q, want %q", got.Class, ClassCancelled)
	}
}

func TestNewClientRejectsBadTargets(t *testing.T) {
	t.Parallel()
	for _, tg := range []Target{
		{Name: "x", URL: "127.0.0.1:9000", Model: "m"},
		{Name: "x", URL: "ftp://h/", Model: "m"},
		{Name: "x", URL: "http://h", Model: ""},
		{Name: "x", URL: "http://h", Model: "m", MaxTokens: -1},
	} {
		if _, err := NewClient(tg, ClientOptions{}); err == nil || !strings.Contains(err.Error(), "x") {
			t.Errorf("%+v: err %v, want one naming the target", tg, err)
		}
	}
}

func TestClientReusesConnectionsAfterStreams(t *testing.T) {
	t.Parallel()
	srv, err := simulate.New(simulate.Config{Models: []string{"m"}})
	if err != nil {
		t.Fatal(err)
	}
	ts := httptest.NewUnstartedServer(srv)
	var conns atomic.Int64
	ts.Config.ConnState = func(_ net.Conn, s http.ConnState) {
		if s == http.StateNew {
			conns.Add(1)
		}
	}
	ts.Start()
	defer ts.Close()
	c := newClient(t, ts.URL)
	for range 3 {
		if res := c.Do(context.Background(), true); res.Class != "" {
			t.Fatalf("class %q", res.Class)
		}
	}
	if n := conns.Load(); n != 1 {
		t.Errorf("three streams in a row opened %d connections, want 1", n)
	}
}

// TestClientCountsALongDataLine reads an SSE data line longer than the
// client's read buffer as one chunk.
func TestClientCountsALongDataLine(t *testing.T) {
	t.Parallel()
	ts := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		w.Header().Set("Content-Type", "text/event-stream")
		_, _ = io.WriteString(w, `data: {"choices":[{"delta":{"content":"`+strings.Repeat("x", 10000)+`"}}]}`+"\n\n")
		_, _ = io.WriteString(w, "data: {\"choices\":[]}\n\ndata: [DONE]\n\n")
	}))
	defer ts.Close()
	c := newClient(t, ts.URL)
	res := c.Do(context.Background(), true)
	if res.Class != "" || res.Chunks != 2 || res.FirstChunk.IsZero() {
		t.Errorf("class %q, %d chunks, first chunk at %v: want a complete stream of 2 chunks", res.Class, res.Chunks, res.FirstChunk)
	}
}
