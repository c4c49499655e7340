package server

import (
	"bufio"
	"fmt"
	"io"
	"net"
	"net/http"
	"strings"
	"testing"
	"time"
)

// failAfter bounds how long a test waits for what should happen within a
// few body timeouts; it is a failure bound, not a measured time.
const failAfter = 20 * time.Second

// sendHeadersAndStall opens a connection that sends a request's headers and
// the first byte of its body, then nothing more.
func sendHeadersAndStall(t *testing.T, addr, framing string) net.Conn {
	t.Helper()
	conn, err := net.Dial("tcp", addr)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = conn.Close() })
	body := "{"
	if framing == "Transfer-Encoding: chunked" {
		body = "1\r\n{\r\n"
	}
	if _, err := fmt.Fprintf(conn, "POST /v1/chat/completions HTTP/1.1\r\nHost: flywheel\r\nContent-Type: application/json\r\n%s\r\n\r\n%s",
		framing, body); err != nil {
		t.Fatal(err)
	}
	return conn
}

// expectTimeoutAndClose reads what the server answers on conn: a 408 in
// OpenAI's shape, then the end of the connection.
func expectTimeoutAndClose(t *testing.T, conn net.Conn) {
	t.Helper()
	_ = conn.SetReadDeadline(time.Now().Add(failAfter))
	br := bufio.NewReader(conn)
	resp, err := http.ReadResponse(br, nil)
	if err != nil {
		t.Fatalf("no answer to a request whose body stalled: %v", err)
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != http.StatusRequestTimeout || !strings.Contains(string(body), `"code":"request_timeout"`) {
		t.Fatalf("stalled body: %d %s, want 408 request_timeout", resp.StatusCode, body)
	}
	if n, err := br.Read(make([]byte, 1)); n != 0 || err != io.EOF {
		t.Fatalf("after the 408: read %d byte(s), %v; want the server to close the connection", n, err)
	}
}

// TestBodyTimeoutAnswers408AndCloses sends headers and "{" and then goes
// silent, with each body framing: the server answers 408 and closes the
// connection once server.body_timeout has passed.
func TestBodyTimeoutAnswers408AndCloses(t *testing.T) {
	b := modelBackend(t, nil, nil)
	_, addr, _, _ := runServerWith(t, fmt.Sprintf(`
health: {interval: 1h}
server: {body_timeout: 100ms}
backends:
  - {name: b, kind: openai, url: %q}
routes:
  - {name: chat, targets: [{backend: b, model: m}]}
`, b.URL), Options{})
	for _, framing := range []string{"Content-Length: 100", "Transfer-Encoding: chunked"} {
		t.Run(framing, func(t *testing.T) {
			expectTimeoutAndClose(t, sendHeadersAndStall(t, addr, framing))
		})
	}
	// A client that sends its body in time is served as before.
	if code, body := chat(t, "http://"+addr, "chat"); code != http.StatusOK {
		t.Fatalf("a prompt client: %d %s", code, body)
	}
}

// TestBodyTimeoutDoesNotBoundStreams keeps a stream open until a request
// that started after it has had its body timeout fire: the stream, which
// has outlived its own body timeout, still runs to its end.
func TestBodyTimeoutDoesNotBoundStreams(t *testing.T) {
	started, release := make(chan struct{}), make(chan struct{})
	b := modelBackend(t, started, release)
	_, addr, _, _ := runServerWith(t, fmt.Sprintf(`
health: {interval: 1h}
server: {body_timeout: 100ms}
backends:
  - {name: b, kind: openai, url: %q}
routes:
  - {name: chat, targets: [{backend: b, model: slow}]}
`, b.URL), Options{})
	resp, err := http.Post("http://"+addr+"/v1/chat/completions", "application/json",
		strings.NewReader(`{"model":"chat","stream":true,"messages":[{"role":"user","content":"hi"}]}`))
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	<-started
	expectTimeoutAndClose(t, sendHeadersAndStall(t, addr, "Content-Length: 100"))
	close(release)
	got, err := io.ReadAll(resp.Body)
	if err != nil || !strings.Contains(string(got), `"last"`) || !strings.Contains(string(got), "[DONE]") {
		t.Fatalf("a stream longer than body_timeout ended with %v after:\n%s", err, got)
	}
}
