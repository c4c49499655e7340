// Package crash_test runs the flywheel binary on SQLite, kills it with
// SIGKILL in the middle of traffic and checks that every feedback it
// answered with 200 survived.
package crash_test

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/flywheel-stack/flywheel/simulate"
	"github.com/flywheel-stack/flywheel/store"
	"github.com/flywheel-stack/flywheel/store/sqlite"
)

const (
	queueSize = 64
	batchSize = 32
)

// buildBinary compiles cmd/flywheel into dir.
func buildBinary(t *testing.T, dir string) string {
	t.Helper()
	bin := filepath.Join(dir, "flywheel")
	cmd := exec.Command("go", "build", "-o", bin, "./cmd/flywheel")
	cmd.Dir = filepath.Join("..", "..")
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("go build: %v\n%s", err, out)
	}
	return bin
}

func freePort(t *testing.T) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	return ln.Addr().String()
}

// gateway is one run of `flywheel serve`.
type gateway struct {
	cmd    *exec.Cmd
	stderr *bytes.Buffer
	base   string
}

func startGateway(t *testing.T, bin, cfgPath, addr string) *gateway {
	t.Helper()
	g := &gateway{stderr: &bytes.Buffer{}, base: "http://" + addr}
	g.cmd = exec.Command(bin, "serve", "-c", cfgPath, "--log-level", "warn")
	g.cmd.Stdout, g.cmd.Stderr = io.Discard, g.stderr
	if err := g.cmd.Start(); err != nil {
		t.Fatal(err)
	}
	exited := make(chan struct{})
	go func() { _ = g.cmd.Wait(); close(exited) }()
	t.Cleanup(func() {
		_ = g.cmd.Process.Kill()
		<-exited
	})
	deadline := time.Now().Add(30 * time.Second)
	for {
		resp, err := http.Get(g.base + "/livez")
		if err == nil {
			resp.Body.Close()
			if resp.StatusCode == http.StatusOK {
				return g
			}
		}
		select {
		case <-exited:
			t.Fatalf("flywheel serve exited: %s", g.stderr)
		case <-time.After(20 * time.Millisecond):
		}
		if time.Now().After(deadline) {
			t.Fatalf("flywheel serve did not come up: %s", g.stderr)
		}
	}
}

func post(t *testing.T, url, body string) (*http.Response, []byte) {
	t.Helper()
	resp, err := http.Post(url, "application/json", strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	data, _ := io.ReadAll(resp.Body)
	return resp, data
}

func TestKill9LosesNoAcknowledgedFeedback(t *testing.T) {
	if testing.Short() {
		t.Skip("builds the binary")
	}
	dir := t.TempDir()
	bin := buildBinary(t, dir)
	sim, err := simulate.New(simulate.Config{Seed: 1})
	if err != nil {
		t.Fatal(err)
	}
	backend := httptest.NewServer(sim)
	defer backend.Close()
	addr := freePort(t)
	dbPath := filepath.Join(dir, "data", "flywheel.db")
	cfgPath := filepath.Join(dir, "flywheel.yaml")
	cfg := fmt.Sprintf(`server: {listen: %q}
backends: [{name: sim, kind: openai, url: %s/v1}]
routes: [{name: chat, targets: [{backend: sim, model: m}]}]
store: {driver: sqlite, dsn: %q, queue_size: %d, batch_size: %d, flush_interval: 20ms}
feedback: {metrics: [{name: thumbs_up, type: boolean}, {name: rating, type: float, min: 1, max: 5}]}
`, addr, backend.URL, dbPath, queueSize, batchSize)
	if err := os.WriteFile(cfgPath, []byte(cfg), 0o644); err != nil {
		t.Fatal(err)
	}

	g := startGateway(t, bin, cfgPath, addr)
	var inferences, acked []string
	for i := range 150 {
		resp, body := post(t, g.base+"/v1/chat/completions", fmt.Sprintf(`{"model":"chat","messages":[{"role":"user","content":"question %d"}]}`, i))
		if resp.StatusCode != http.StatusOK {
			t.Fatalf("chat: %d %s", resp.StatusCode, body)
		}
		id := resp.Header.Get("X-Flywheel-Inference-Id")
		inferences = append(inferences, id)
		// Feedback right after the answer: its inference is most likely
		// still in the writer's queue.
		resp, body = post(t, g.base+"/v1/feedback", fmt.Sprintf(`{"inference_id":%q,"metric":"rating","value":%d,"idempotency_key":"k%d"}`, id, 1+i%5, i))
		if resp.StatusCode != http.StatusOK {
			t.Fatalf("feedback %d: %d %s", i, resp.StatusCode, body)
		}
		var out struct {
			FeedbackID string `json:"feedback_id"`
		}
		if err := json.Unmarshal(body, &out); err != nil || out.FeedbackID == "" {
			t.Fatalf("feedback answer %s: %v", body, err)
		}
		acked = append(acked, out.FeedbackID)
	}
	// Kill it in the middle of traffic: more chats in flight, some events
	// queued.
	background := make(chan struct{})
	go func() {
		defer close(background)
		for {
			resp, err := http.Post(g.base+"/v1/chat/completions", "application/json",
				strings.NewReader(`{"model":"chat","messages":[{"role":"user","content":"more"}]}`))
			if err != nil {
				return // the gateway is gone
			}
			_, _ = io.Copy(io.Discard, resp.Body)
			resp.Body.Close()
		}
	}()
	post(t, g.base+"/v1/chat/completions", `{"model":"chat","messages":[{"role":"user","content":"last"}]}`)
	if err := g.cmd.Process.Signal(syscall.SIGKILL); err != nil {
		t.Fatal(err)
	}
	<-background

	g2 := startGateway(t, bin, cfgPath, addr)
	// The restarted gateway knows the inferences that were written before
	// the kill: feedback on the first one is accepted.
	if resp, body := post(t, g2.base+"/v1/feedback", fmt.Sprintf(`{"inference_id":%q,"metric":"thumbs_up","value":true}`, inferences[0])); resp.StatusCode != http.StatusOK {
		t.Errorf("feedback after restart: %d %s", resp.StatusCode, body)
	}
	_ = g2.cmd.Process.Signal(syscall.SIGKILL)

	st, err := sqlite.Open(context.Background(), dbPath, sqlite.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	stored := map[string]bool{}
	q := store.FeedbackQuery{Limit: 1000}
	page, err := st.Feedback(context.Background(), q)
	if err != nil {
		t.Fatal(err)
	}
	for _, f := range page.Feedback {
		stored[f.ID] = true
	}
	for _, id := range acked {
		if !stored[id] {
			t.Errorf("feedback %s was answered 200 but is not in the store after kill -9", id)
		}
	}
	lost := 0
	for _, id := range inferences {
		if _, err := st.Inference(context.Background(), id); err != nil {
			lost++
		}
	}
	if lost > queueSize+batchSize {
		t.Errorf("%d inference events lost, more than the queue (%d) and a batch in flight (%d) hold", lost, queueSize, batchSize)
	}
	t.Logf("%d feedback acknowledged, all stored; %d of %d inference events lost to the kill", len(acked), lost, len(inferences))
}

func TestUnopenableSQLiteStopsStartUp(t *testing.T) {
	if testing.Short() {
		t.Skip("builds the binary")
	}
	dir := t.TempDir()
	bin := buildBinary(t, dir)
	blocker := filepath.Join(dir, "not-a-folder")
	if err := os.WriteFile(blocker, []byte("x"), 0o644); err != nil {
		t.Fatal(err)
	}
	dbPath := filepath.Join(blocker, "flywheel.db")
	cfgPath := filepath.Join(dir, "flywheel.yaml")
	if err := os.WriteFile(cfgPath, []byte(fmt.Sprintf("server: {listen: %q}\nstore: {dsn: %q}\n", freePort(t), dbPath)), 0o644); err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	out, err := exec.CommandContext(ctx, bin, "serve", "-c", cfgPath).CombinedOutput()
	var exit *exec.ExitError
	if !errors.As(err, &exit) || exit.ExitCode() == 0 {
		t.Fatalf("serve with an unopenable SQLite file: %v, want a non-zero exit\n%s", err, out)
	}
	if !strings.Contains(string(out), dbPath) || !strings.Contains(string(out), "not a directory") {
		t.Errorf("start-up error does not name the path and the cause:\n%s", out)
	}
}
