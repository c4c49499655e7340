package simulate

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/flywheel-stack/flywheel/clock"
	"go.uber.org/goleak"
)

func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }

// testStart is the fake clock's start in every test.
var testStart = time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)

// harness is a simulator listening on a loopback port, on a fake clock, with
// its own HTTP client.
type harness struct {
	t      *testing.T
	srv    *Server
	clk    *clock.Fake
	url    string
	client *http.Client
}

// start serves cfg (on a fake clock unless cfg sets one) until the test ends.
func start(t *testing.T, cfg Config) *harness {
	t.Helper()
	clk := clock.NewFake(testStart)
	if cfg.Clock == nil {
		cfg.Clock = clk
	}
	srv, err := New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	url, shutdown, err := srv.Listen(context.Background(), "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	tr := &http.Transport{DisableKeepAlives: true}
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		if err := shutdown(ctx); err != nil {
			t.Errorf("shutdown: %v", err)
		}
		tr.CloseIdleConnections()
	})
	return &harness{t: t, srv: srv, clk: clk, url: url, client: &http.Client{Transport: tr}}
}

// reply is a finished HTTP exchange.
type reply struct {
	status int
	header http.Header
	body   []byte
}

// do sends a request and reads the whole answer; a transport error fails
// the test.
func (h *harness) do(method, path, body string) reply {
	h.t.Helper()
	r, err := h.try(context.Background(), method, path, body)
	if err != nil {
		h.t.Fatalf("%s %s: %v", method, path, err)
	}
	return r
}

// try sends a request and reads the whole answer, returning any error.
func (h *harness) try(ctx context.Context, method, path, body string) (reply, error) {
	resp, err := h.send(ctx, method, path, body)
	if err != nil {
		return reply{}, err
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	return reply{status: resp.StatusCode, header: resp.Header, body: b}, err
}

// send sends a request and returns the response with its body unread.
func (h *harness) send(ctx context.Context, method, path, body string) (*http.Response, error) {
	var rd io.Reader
	if body != "" {
		rd = strings.NewReader(body)
	}
	req, err := http.NewRequestWithContext(ctx, method, h.url+path, rd)
	if err != nil {
		return nil, err
	}
	if body != "" {
		req.Header.Set("Content-Type", "application/json")
	}
	return h.client.Do(req)
}

// async sends a request in the background; the channel yields its reply.
func (h *harness) async(ctx context.Context, method, path, body string) <-chan asyncReply {
	ch := make(chan asyncReply, 1)
	go func() {
		r, err := h.try(ctx, method, path, body)
		ch <- asyncReply{r, err}
	}()
	return ch
}

type asyncReply struct {
	reply
	err error
}

// waitTimer waits until the simulator has a timer pending and returns how
// far the clock must move for it to fire.
func (h *harness) waitTimer() time.Duration {
	h.t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	if err := h.clk.WaitForTimers(ctx, 1); err != nil {
		h.t.Fatalf("no timer was set: %v", err)
	}
	return h.clk.NextTimerIn()
}

// waitStats waits until cond holds for the simulator's counters.
func (h *harness) waitStats(what string, cond func(Stats) bool) Stats {
	h.t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	st, err := h.srv.WaitStats(ctx, cond)
	if err != nil {
		h.t.Fatalf("waiting for %s: %v; stats %+v", what, err, st)
	}
	return st
}

// decode unmarshals a JSON body, failing the test on error.
func decode[T any](t *testing.T, b []byte) T {
	t.Helper()
	var v T
	if err := json.Unmarshal(b, &v); err != nil {
		t.Fatalf("decode %s: %v", b, err)
	}
	return v
}

// errorBody is OpenAI's error shape.
type errorBody struct {
	Error struct {
		Message string  `json:"message"`
		Type    string  `json:"type"`
		Param   *string `json:"param"`
		Code    any     `json:"code"`
	} `json:"error"`
}

// wantError checks that r is an OpenAI-shaped error with this status and
// code ("" for null) whose message contains msg.
func wantError(t *testing.T, r reply, status int, code, msg string) {
	t.Helper()
	if r.status != status {
		t.Fatalf("status %d, want %d: %s", r.status, status, r.body)
	}
	if ct := r.header.Get("Content-Type"); ct != "application/json" {
		t.Errorf("Content-Type %q", ct)
	}
	e := decode[errorBody](t, r.body)
	if e.Error.Message == "" || e.Error.Type == "" {
		t.Errorf("error without message or type: %s", r.body)
	}
	got, _ := e.Error.Code.(string)
	if code == "" && e.Error.Code != nil || code != "" && got != code {
		t.Errorf("code %v, want %q: %s", e.Error.Code, code, r.body)
	}
	if !strings.Contains(e.Error.Message, msg) {
		t.Errorf("message %q lacks %q", e.Error.Message, msg)
	}
}

// sseReader reads the data events of a stream.
type sseReader struct{ r *bufio.Reader }

// next returns the next data payload; io.EOF at a clean end of the body.
func (s sseReader) next() (string, error) {
	for {
		line, err := s.r.ReadString('\n')
		if err != nil {
			if err == io.EOF && line != "" {
				return "", io.ErrUnexpectedEOF
			}
			return "", err
		}
		line = strings.TrimRight(line, "\r\n")
		if data, ok := strings.CutPrefix(line, "data: "); ok {
			return data, nil
		}
		if line != "" {
			return "", errors.New("not an SSE line: " + line)
		}
	}
}

// readAll reads every data payload until the body ends, returning the error
// that ended it (nil for a clean end).
func (s sseReader) readAll() ([]string, error) {
	var out []string
	for {
		d, err := s.next()
		if err == io.EOF {
			return out, nil
		}
		if err != nil {
			return out, err
		}
		out = append(out, d)
	}
}

// compact re-encodes a JSON document without spaces, for comparisons.
func compact(t *testing.T, s string) string {
	t.Helper()
	var b bytes.Buffer
	if err := json.Compact(&b, []byte(s)); err != nil {
		t.Fatalf("compact %s: %v", s, err)
	}
	return b.String()
}
