package server

import (
	"bufio"
	"bytes"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/flywheel-stack/flywheel/config"
	"github.com/flywheel-stack/flywheel/resilience"
)

// modelBackend is an OpenAI-compatible backend that answers with the model
// it was asked for; a stream for model "slow" sends one chunk and waits for
// release.
func modelBackend(t *testing.T, started chan<- struct{}, release <-chan struct{}) *httptest.Server {
	t.Helper()
	b := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path == "/v1/models" {
			fmt.Fprint(w, `{"object":"list","data":[]}`)
			return
		}
		body, _ := io.ReadAll(r.Body)
		model := "?"
		if _, rest, ok := bytes.Cut(body, []byte(`"model":"`)); ok {
			model, _, _ = strings.Cut(string(rest), `"`)
		}
		if model != "slow" {
			w.Header().Set("Content-Type", "application/json")
			fmt.Fprintf(w, `{"id":"c","object":"chat.completion","model":%q,"choices":[{"index":0,"message":{"role":"assistant","content":"from %s"},"finish_reason":"stop"}]}`, model, model)
			return
		}
		w.Header().Set("Content-Type", "text/event-stream")
		fmt.Fprint(w, "data: {\"id\":\"c\",\"object\":\"chat.completion.chunk\",\"model\":\"slow\",\"choices\":[{\"index\":0,\"delta\":{\"content\":\"first \"}}]}\n\n")
		w.(http.Flusher).Flush()
		close(started)
		<-release
		fmt.Fprint(w, "data: {\"id\":\"c\",\"object\":\"chat.completion.chunk\",\"model\":\"slow\",\"choices\":[{\"index\":0,\"delta\":{\"content\":\"last\"}}]}\n\n")
		fmt.Fprint(w, "data: [DONE]\n\n")
	}))
	t.Cleanup(b.Close)
	return b
}

func chat(t *testing.T, base, model string) (int, string) {
	t.Helper()
	resp, err := http.Post(base+"/v1/chat/completions", "application/json",
		strings.NewReader(`{"model":"`+model+`","messages":[{"role":"user","content":"hi"}]}`))
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(body)
}

func mustParse(t *testing.T, text string) *config.Config {
	t.Helper()
	cfg, err := config.Parse("flywheel.yaml", []byte(text))
	if err != nil {
		t.Fatal(err)
	}
	return cfg
}

// TestReloadSwapsGatewayKeepingBreakersAndInFlight reloads a configuration
// that renames a route, adds one, and changes the listen address: the new
// routes answer at once, the removed one is gone, a stream in flight on the
// old gateway finishes, a breaker forced open before stays open, and the
// listen address is named as needing a restart.
func TestReloadSwapsGatewayKeepingBreakersAndInFlight(t *testing.T) {
	started, release := make(chan struct{}), make(chan struct{})
	b := modelBackend(t, started, release)
	logs := &syncBuffer{}
	before := fmt.Sprintf(`
health: {interval: 1h}
backends:
  - {name: b, kind: openai, url: %q}
routes:
  - {name: chat, targets: [{backend: b, model: slow}]}
  - {name: held, targets: [{backend: b, model: held}]}
`, b.URL)
	srv, addr, _, _ := runServerWith(t, before, Options{Logger: slog.New(slog.NewTextHandler(logs, nil))})
	base := "http://" + addr
	srv.Gateway().Breakers().Get("b/held").ForceOpen("test")

	resp, err := http.Post(base+"/v1/chat/completions", "application/json",
		strings.NewReader(`{"model":"chat","stream":true,"messages":[{"role":"user","content":"hi"}]}`))
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	<-started

	after := strings.Replace(before, "{name: chat,", "{name: talk,", 1) + "  - {name: code, targets: [{backend: b, model: coder}]}\n" +
		"server: {listen: 127.0.0.1:1}\n"
	if err := srv.Reload(mustParse(t, after)); err != nil {
		t.Fatalf("Reload: %v", err)
	}
	if code, body := chat(t, base, "code"); code != http.StatusOK || !strings.Contains(body, "from coder") {
		t.Fatalf("new route after reload: %d %s", code, body)
	}
	if code, body := chat(t, base, "chat"); code != http.StatusNotFound || !strings.Contains(body, "model_not_found") {
		t.Fatalf("removed route after reload: %d %s", code, body)
	}
	if st := srv.Gateway().Breakers().Get("b/held").Snapshot().State; st != resilience.StateForcedOpen {
		t.Fatalf("breaker b/held after reload: %s, want forced_open (state carries over)", st)
	}
	if code, _ := chat(t, base, "held"); code == http.StatusOK {
		t.Fatal("a request went through a breaker forced open before the reload")
	}
	if !strings.Contains(logs.String(), "not_applied=[server.listen]") {
		t.Errorf("the log does not name server.listen as needing a restart:\n%s", logs)
	}

	close(release)
	var got strings.Builder
	sc := bufio.NewScanner(resp.Body)
	for sc.Scan() {
		got.WriteString(sc.Text() + "\n")
	}
	if !strings.Contains(got.String(), `"last"`) || !strings.Contains(got.String(), "[DONE]") {
		t.Fatalf("the stream in flight across the reload ended with:\n%s", got.String())
	}
}

// TestReloadFailureKeepsServing gives Reload a configuration the gateway
// cannot build: it returns and logs the error, and the running
// configuration keeps answering.
func TestReloadFailureKeepsServing(t *testing.T) {
	b := modelBackend(t, nil, nil)
	logs := &syncBuffer{}
	srv, addr, _, _ := runServerWith(t, fmt.Sprintf(`
health: {interval: 1h}
backends:
  - {name: b, kind: openai, url: %q}
routes:
  - {name: chat, targets: [{backend: b, model: m}]}
`, b.URL), Options{Logger: slog.New(slog.NewTextHandler(logs, nil))})
	bad := mustParse(t, "health: {interval: 1h}\n")
	bad.Routes = []config.Route{{Name: "x", Targets: []config.Target{{Backend: "missing", Model: "m"}}}}
	if err := srv.Reload(bad); err == nil || !strings.Contains(err.Error(), "missing") {
		t.Fatalf("Reload of a route on an undefined backend: %v", err)
	}
	if !strings.Contains(logs.String(), "configuration not reloaded") {
		t.Errorf("the failed reload is not logged:\n%s", logs)
	}
	if code, body := chat(t, "http://"+addr, "chat"); code != http.StatusOK || !strings.Contains(body, "from m") {
		t.Fatalf("after a failed reload: %d %s", code, body)
	}
}

// TestCarryOver checks which sections a reload keeps, and that an
// unchanged file names none.
func TestCarryOver(t *testing.T) {
	t.Parallel()
	text := `
server: {listen: 127.0.0.1:8700, max_body_bytes: 1MiB}
store: {driver: sqlite, dsn: a.db}
capture: {redact: ['sk-[a-z]+']}
dependencies:
  - {name: cache, kind: tcp, addr: "127.0.0.1:1"}
slos:
  - {name: all, kind: availability, objective: 99}
`
	running := mustParse(t, text)
	if _, kept := carryOver(mustParse(t, text), running); len(kept) != 0 {
		t.Fatalf("the same file reloaded keeps %v, want nothing", kept)
	}
	changed := mustParse(t, `
server: {listen: 127.0.0.1:9999, max_body_bytes: 2MiB}
store: {driver: sqlite, dsn: b.db}
capture: {prompts: false}
health: {interval: 1m}
alerts: {webhook: {url: "http://alertmanager:9093"}}
resources: {interval: 1m, gpu: "off"}
slos:
  - {name: all, kind: availability, objective: 99.9}
`)
	next, kept := carryOver(changed, running)
	if want := "[server.listen store capture health dependencies alerts resources slos]"; fmt.Sprint(kept) != want {
		t.Errorf("kept %v, want %s", kept, want)
	}
	if next.Server.Listen != "127.0.0.1:8700" || next.Store.DSN != "a.db" || !next.Capture.Prompts ||
		next.Health.Interval != running.Health.Interval || len(next.Dependencies) != 1 ||
		next.Alerts != running.Alerts || next.Resources != running.Resources {
		t.Errorf("the kept sections are not the running ones: %+v", next)
	}
	if next.Server.MaxBodyBytes != 2*config.MiB {
		t.Errorf("server.max_body_bytes is live: got %s", next.Server.MaxBodyBytes)
	}
}
