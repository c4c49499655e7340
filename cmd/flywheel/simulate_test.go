package main

import (
	"bufio"
	"context"
	"encoding/json"
	"io"
	"net/http"
	"regexp"
	"strings"
	"testing"
)

// TestSimulateCommand starts `flywheel simulate` with fault flags and checks
// that the control API reports them, then stops it through its context.
func TestSimulateCommand(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	pr, pw := io.Pipe()
	cmd := newRootCommand()
	cmd.SetOut(pw)
	cmd.SetErr(io.Discard)
	cmd.SetArgs([]string{"simulate", "--listen", "127.0.0.1:0", "--model", "a,b", "--ttft", "5ms",
		"--tokens-per-second", "0", "--error-rate", "0.5", "--status", "503", "--retry-after", "4",
		"--cut-after-chunks", "3", "--loading-for", "1m", "--broken-answer", "html"})
	done := make(chan error, 1)
	go func() {
		done <- cmd.ExecuteContext(ctx)
		pw.Close()
	}()
	line, err := bufio.NewReader(pr).ReadString('\n')
	if err != nil {
		t.Fatalf("no start line: %v (%v)", err, <-done)
	}
	go func() { _, _ = io.Copy(io.Discard, pr) }()
	url := regexp.MustCompile(`at (http://127\.0\.0\.1:\d+)`).FindStringSubmatch(line)
	if url == nil {
		t.Fatalf("start line without an address: %q", line)
	}
	tr := &http.Transport{}
	defer tr.CloseIdleConnections()
	get := func(path string, v any) int {
		t.Helper()
		resp, err := (&http.Client{Transport: tr}).Get(url[1] + path)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		if v != nil {
			if err := json.NewDecoder(resp.Body).Decode(v); err != nil {
				t.Fatal(err)
			}
		}
		return resp.StatusCode
	}
	var f map[string]any
	get("/_sim/faults", &f)
	for k, want := range map[string]any{"ttft": "5ms", "tokens_per_second": 0.0, "error_rate": 0.5, "status": 503.0,
		"retry_after": 4.0, "cut_after_chunks": 3.0, "loading_for": "1m0s", "hang": false, "reset": false,
		"broken_answer": "html"} {
		if f[k] != want {
			t.Errorf("%s = %v, want %v (flags not applied)", k, f[k], want)
		}
	}
	var models struct{ Data []struct{ ID string } }
	get("/v1/models", nil) // loading: 503
	if code := get("/health", nil); code != http.StatusServiceUnavailable {
		t.Errorf("/health while loading: %d", code)
	}
	resp, err := (&http.Client{Transport: tr}).Post(url[1]+"/_sim/faults", "application/json",
		strings.NewReader(`{"reset_all":true}`))
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	get("/v1/models", &models)
	if len(models.Data) != 2 || models.Data[0].ID != "a" || models.Data[1].ID != "b" {
		t.Errorf("models %+v", models)
	}
	tr.CloseIdleConnections()
	cancel()
	if err := <-done; err != nil {
		t.Errorf("simulate after its context ended: %v", err)
	}
}

func TestSimulateCommandRejectsBadFaults(t *testing.T) {
	for _, args := range [][]string{
		{"simulate", "--listen", "127.0.0.1:0", "--model", "m", "--error-rate", "2"},
		{"simulate", "--listen", "127.0.0.1:0", "--model", "m", "--status", "200"},
		{"simulate", "--listen", "127.0.0.1:0", "--model", "m", "--broken-answer", "garbled"},
		{"simulate", "--listen", "127.0.0.1:0"}, // --model is required
	} {
		cmd := newRootCommand()
		cmd.SetOut(io.Discard)
		cmd.SetErr(io.Discard)
		cmd.SetArgs(args)
		if err := cmd.ExecuteContext(context.Background()); err == nil {
			t.Errorf("%v: accepted", args)
		}
	}
}
