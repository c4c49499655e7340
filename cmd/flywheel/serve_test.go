package main

import (
	"bufio"
	"context"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"
)

// TestServeRejectsUnknownLogLevel checks that a --log-level serve does not
// know is an error naming the flag and the levels, before anything starts.
func TestServeRejectsUnknownLogLevel(t *testing.T) {
	t.Parallel()
	ctx, cancel := context.WithCancel(context.Background())
	cancel() // were the flag ignored, serve would start and stop at once
	cmd := newRootCommand()
	cmd.SetOut(io.Discard)
	cmd.SetErr(io.Discard)
	cmd.SetArgs([]string{"serve", "--log-level", "verbose", "-c", filepath.Join(t.TempDir(), "none.yaml")})
	err := cmd.ExecuteContext(ctx)
	if err == nil || !strings.Contains(err.Error(), "--log-level") || !strings.Contains(err.Error(), `"verbose"`) ||
		!strings.Contains(err.Error(), "debug, info, warn or error") {
		t.Fatalf("serve --log-level verbose: %v", err)
	}
	for _, ok := range []string{"debug", "INFO", "Warn", "error"} {
		if _, err := newLogger(io.Discard, ok); err != nil {
			t.Errorf("newLogger(%q): %v", ok, err)
		}
	}
}

// logLines collects a command's log output, line by line.
type logLines struct {
	mu    sync.Mutex
	lines []string
}

func (l *logLines) find(re *regexp.Regexp) []string {
	l.mu.Lock()
	defer l.mu.Unlock()
	for _, line := range l.lines {
		if m := re.FindStringSubmatch(line); m != nil {
			return m
		}
	}
	return nil
}

// eventually polls cond until it holds, failing the test after a generous
// deadline.
func eventually(t *testing.T, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(20 * time.Second)
	tick := time.NewTicker(10 * time.Millisecond)
	defer tick.Stop()
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting for %s", what)
		}
		<-tick.C
	}
}

// TestServeReloadsOnSIGHUP runs `flywheel serve -c FILE`, changes FILE and
// sends the process SIGHUP: the process survives, the new route answers; a
// broken file sent the same way is logged with its file and line and the
// running configuration keeps serving; cancelling (SIGTERM) then ends serve
// cleanly (exit status 0).
func TestServeReloadsOnSIGHUP(t *testing.T) {
	backend := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path == "/v1/models" {
			fmt.Fprint(w, `{"object":"list","data":[]}`)
			return
		}
		w.Header().Set("Content-Type", "application/json")
		fmt.Fprint(w, `{"id":"c","object":"chat.completion","model":"m","choices":[{"index":0,"message":{"role":"assistant","content":"hi"},"finish_reason":"stop"}]}`)
	}))
	defer backend.Close()
	dir := t.TempDir()
	path := filepath.Join(dir, "flywheel.yaml")
	write := func(route string) {
		t.Helper()
		text := fmt.Sprintf("store: {driver: sqlite, dsn: %q}\nhealth: {interval: 1h}\nbackends:\n  - {name: b, kind: openai, url: %q}\nroutes:\n  - {name: %s, targets: [{backend: b, model: m}]}\n",
			filepath.Join(dir, "f.db"), backend.URL, route)
		if err := os.WriteFile(path, []byte(text), 0o600); err != nil {
			t.Fatal(err)
		}
	}
	write("chat")

	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	pr, pw := io.Pipe()
	cmd := newRootCommand()
	cmd.SetOut(io.Discard)
	cmd.SetErr(pw)
	cmd.SetArgs([]string{"serve", "-c", path, "--listen", "127.0.0.1:0", "--shutdown-grace", "5s"})
	done := make(chan error, 1)
	go func() {
		done <- cmd.ExecuteContext(ctx)
		pw.Close()
	}()
	logs := &logLines{}
	go func() {
		sc := bufio.NewScanner(pr)
		for sc.Scan() {
			logs.mu.Lock()
			logs.lines = append(logs.lines, sc.Text())
			logs.mu.Unlock()
		}
	}()
	var addr string
	eventually(t, "serve to listen", func() bool {
		if m := logs.find(regexp.MustCompile(`msg="flywheel serving" addr=(\S+)`)); m != nil {
			addr = m[1]
		}
		return addr != ""
	})
	status := func(model string) int {
		resp, err := http.Post("http://"+addr+"/v1/chat/completions", "application/json",
			strings.NewReader(`{"model":"`+model+`","messages":[{"role":"user","content":"hi"}]}`))
		if err != nil {
			t.Fatal(err)
		}
		_, _ = io.Copy(io.Discard, resp.Body)
		resp.Body.Close()
		return resp.StatusCode
	}
	if got := status("chat"); got != http.StatusOK {
		t.Fatalf("before the reload: %d", got)
	}

	write("code")
	if err := syscall.Kill(os.Getpid(), syscall.SIGHUP); err != nil {
		t.Fatal(err)
	}
	eventually(t, "the new route to answer", func() bool { return status("code") == http.StatusOK })
	if got := status("chat"); got != http.StatusNotFound {
		t.Fatalf("the removed route after the reload: %d, want 404", got)
	}

	if err := os.WriteFile(path, []byte("routes:\n  - {name: x, targets: [{backend: nope, model: m}]}\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	if err := syscall.Kill(os.Getpid(), syscall.SIGHUP); err != nil {
		t.Fatal(err)
	}
	notReloaded := regexp.MustCompile(`configuration not reloaded.*flywheel\.yaml:2: routes\[0\]`)
	eventually(t, "the broken file to be logged with its line", func() bool { return logs.find(notReloaded) != nil })
	if got := status("code"); got != http.StatusOK {
		t.Fatalf("after a broken file: %d, want the running configuration to keep serving", got)
	}

	cancel()
	select {
	case err := <-done:
		if err != nil {
			t.Fatalf("serve after its context was cancelled: %v, want nil (exit status 0)", err)
		}
	case <-time.After(time.Minute):
		t.Fatal("serve did not return")
	}
}
