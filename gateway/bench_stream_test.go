package gateway

import (
	"bytes"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"runtime"
	"strings"
	"testing"

	"github.com/flywheel-stack/flywheel/telemetry"
)

// streamBenchEvents is the number of content events per benchmarked stream.
const streamBenchEvents = 64

// benchStreamBody is what a backend sends for one benchmarked stream:
// streamBenchEvents content chunks, the usage chunk the gateway asks for,
// and [DONE], one slice per event.
func benchStreamBody() [][]byte {
	var events [][]byte
	for i := range streamBenchEvents {
		events = append(events, fmt.Appendf(nil, "data: {\"id\":\"chatcmpl-1\",\"object\":\"chat.completion.chunk\",\"created\":1,\"model\":\"m\",\"choices\":[{\"index\":0,\"delta\":{\"content\":\"w%d \"},\"finish_reason\":null}]}\n\n", i))
	}
	events = append(events,
		[]byte("data: {\"id\":\"chatcmpl-1\",\"object\":\"chat.completion.chunk\",\"created\":1,\"model\":\"m\",\"choices\":[],\"usage\":{\"prompt_tokens\":5,\"completion_tokens\":64,\"total_tokens\":69}}\n\n"),
		[]byte("data: [DONE]\n\n"))
	return events
}

// eventReader yields a stream one event per Read, as a backend that sends
// each token as it is generated would, or everything at once (burst) as a
// backend whose events pile up while the gateway is busy.
type eventReader struct {
	events [][]byte
	next   int
	burst  bool
}

func (r *eventReader) Read(p []byte) (int, error) {
	if r.next == len(r.events) {
		return 0, io.EOF
	}
	n := 0
	for r.next < len(r.events) && len(r.events[r.next]) <= len(p)-n {
		n += copy(p[n:], r.events[r.next])
		r.next++
		if !r.burst {
			break
		}
	}
	return n, nil
}

func (r *eventReader) Close() error { return nil }

// memTransport answers every request with an in-memory event stream, so
// that a benchmark measures the gateway's own work per event.
type memTransport struct {
	events [][]byte
	burst  bool
}

func (t *memTransport) RoundTrip(req *http.Request) (*http.Response, error) {
	_, _ = io.Copy(io.Discard, req.Body)
	_ = req.Body.Close()
	return &http.Response{StatusCode: 200, Status: "200 OK", Proto: "HTTP/1.1", ProtoMajor: 1, ProtoMinor: 1,
		Header: http.Header{"Content-Type": {"text/event-stream"}}, ContentLength: -1,
		Body: &eventReader{events: t.events, burst: t.burst}, Request: req}, nil
}

// flushCounter is a ResponseWriter that discards what it is sent and
// counts flushes.
type flushCounter struct {
	h       http.Header
	n       int
	flushes int
}

func (w *flushCounter) Header() http.Header         { return w.h }
func (w *flushCounter) WriteHeader(int)             {}
func (w *flushCounter) Write(p []byte) (int, error) { w.n += len(p); return len(p), nil }
func (w *flushCounter) Flush()                      { w.flushes++ }

// BenchmarkProxyStream relays streamed chat completions of 64 content
// events each. "mem" sub-benchmarks isolate the gateway's own work: the
// backend is an in-memory transport and the client a discarding writer;
// "loopback" runs the whole path over TCP, with a backend that flushes
// every event and a client that reads the stream to its end.
func BenchmarkProxyStream(b *testing.B) {
	body := `{"model":"coder","stream":true,"messages":[{"role":"user","content":"Write a haiku about breakers."}],"max_tokens":64}`
	events := benchStreamBody()
	for _, burst := range []bool{false, true} {
		name := "mem/event-per-read"
		if burst {
			name = "mem/burst"
		}
		b.Run(name, func(b *testing.B) {
			local, remote := newFakeBackend(b), newFakeBackend(b)
			h := newHarness(b, twoTargets, nil, local, remote)
			h.gw.sink = telemetry.Sinks(nil) // the test sink keeps every event: its growth would be measured
			h.gw.backends["local"].Client.Transport = &memTransport{events: events, burst: burst}
			mux := http.NewServeMux()
			h.gw.Register(mux)
			w := &flushCounter{h: http.Header{}}
			reportPerEvent(b, func() {
				clear(w.h)
				req := httptest.NewRequest(http.MethodPost, "/v1/chat/completions", strings.NewReader(body))
				mux.ServeHTTP(w, req)
			})
			b.ReportMetric(float64(w.flushes)/float64(b.N), "flushes/op")
		})
	}
	b.Run("loopback", func(b *testing.B) {
		local, remote := newFakeBackend(b), newFakeBackend(b)
		local.answer(func(w http.ResponseWriter, _ *http.Request, _ []byte) {
			w.Header().Set("Content-Type", "text/event-stream")
			fl := w.(http.Flusher)
			for _, e := range events {
				_, _ = w.Write(e)
				fl.Flush()
			}
		})
		h := newHarness(b, twoTargets, nil, local, remote)
		h.gw.sink = telemetry.Sinks(nil)
		client := h.srv.Client()
		want := len(bytes.Join(events[:streamBenchEvents], nil)) + len("data: [DONE]\n\n")
		reportPerEvent(b, func() {
			resp, err := client.Post(h.srv.URL+"/v1/chat/completions", "application/json", strings.NewReader(body))
			if err != nil {
				b.Fatal(err)
			}
			n, _ := io.Copy(io.Discard, resp.Body)
			_ = resp.Body.Close()
			if resp.StatusCode != 200 || int(n) != want {
				b.Fatalf("status %d, %d bytes relayed, want %d", resp.StatusCode, n, want)
			}
		})
	})
}

// reportPerEvent runs one stream per iteration and adds ns/event and
// allocs/event (the whole request's, spread over its content events).
func reportPerEvent(b *testing.B, stream func()) {
	b.ReportAllocs()
	var before, after runtime.MemStats
	runtime.ReadMemStats(&before)
	for b.Loop() {
		stream()
	}
	runtime.ReadMemStats(&after)
	events := float64(b.N) * streamBenchEvents
	b.ReportMetric(float64(b.Elapsed().Nanoseconds())/events, "ns/event")
	b.ReportMetric(float64(after.Mallocs-before.Mallocs)/events, "allocs/event")
}
