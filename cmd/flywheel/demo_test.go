package main

import (
	"bytes"
	"context"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"
)

// execDemo runs `flywheel demo` with args and returns its stdout and error.
func execDemo(t *testing.T, args ...string) (string, error) {
	t.Helper()
	cmd := newRootCommand()
	var out, errOut bytes.Buffer
	cmd.SetOut(&out)
	cmd.SetErr(&errOut)
	cmd.SetArgs(append([]string{"demo"}, args...))
	err := cmd.ExecuteContext(context.Background())
	return out.String(), err
}

// TestDemoCommand runs the demo twice on one data folder, then reads what
// it stored with the commands its summary suggests.
func TestDemoCommand(t *testing.T) {
	data := filepath.Join(t.TempDir(), "demo data")
	out, err := execDemo(t, "--duration", "1s", "--rate", "15", "--data", data)
	if err != nil {
		t.Fatalf("flywheel demo: %v\n%s", err, out)
	}
	// Not a terminal: plain lines, no bar.
	for _, want := range []string{"Flywheel demo", "local-fast goes down", "Summary:", "success rate", "first token"} {
		if !strings.Contains(out, want) {
			t.Errorf("output lacks %q:\n%s", want, out)
		}
	}
	if strings.Contains(out, "\033[K") {
		t.Errorf("a bar drawn on a buffer:\n%s", out)
	}
	first := storedLine(t, out)

	out, err = execDemo(t, "--duration", "1s", "--rate", "15", "--data", data)
	if err != nil {
		t.Fatalf("flywheel demo, again: %v\n%s", err, out)
	}
	second := storedLine(t, out)
	if second.total != first.added+second.added || second.feedbackTotal != first.feedback+second.feedback ||
		!strings.Contains(out, "other runs included") {
		t.Errorf("the second run did not add to the first: %+v then %+v", first, second)
	}

	// The commands the summary gives, on the file it names.
	cfg := filepath.Join(data, "flywheel.yaml")
	if !strings.Contains(out, "inferences list -c '"+cfg+"'") || !strings.Contains(out, "feedback list -c '"+cfg+"'") {
		t.Errorf("the summary does not give the commands for %s:\n%s", cfg, out)
	}
	list, err := runCLI(t, "inferences", "list", "-c", cfg, "--json", "--limit", "10000")
	if err != nil {
		t.Fatalf("inferences list: %v\n%s", err, list)
	}
	if n := strings.Count(list, "\n"); n != second.total {
		t.Errorf("inferences list printed %d records, the summary says %d", n, second.total)
	}
	fb, err := runCLI(t, "feedback", "list", "-c", cfg, "--json", "--limit", "10000")
	if err != nil {
		t.Fatalf("feedback list: %v\n%s", err, fb)
	}
	if n := strings.Count(fb, "\n"); n != second.feedbackTotal || !strings.Contains(fb, `"episode_id":"demo-`) {
		t.Errorf("feedback list printed %d records (the summary says %d):\n%s", n, second.feedbackTotal, fb)
	}
	m := regexp.MustCompile(`inferences show (\S+) -c`).FindStringSubmatch(out)
	if m == nil {
		t.Fatalf("no inferences show command:\n%s", out)
	}
	show, err := runCLI(t, "inferences", "show", m[1], "-c", cfg)
	if err != nil || !strings.Contains(show, "feedback (") || strings.Contains(show, "feedback (0)") {
		t.Errorf("inferences show %s: %v\n%s", m[1], err, show)
	}
}

// stored is what a demo summary says it stored.
type stored struct{ added, total, feedback, feedbackTotal int }

func storedLine(t *testing.T, out string) stored {
	t.Helper()
	var s stored
	m := regexp.MustCompile(`inferences +(\d+) recorded this run: (\d+) requests, 0 dropped`).FindStringSubmatch(out)
	f := regexp.MustCompile(`feedback +(\d+) stored this run`).FindStringSubmatch(out)
	a := regexp.MustCompile(`in all +(\d+) inferences and (\d+) feedback`).FindStringSubmatch(out)
	if m == nil || f == nil || a == nil || m[1] != m[2] {
		t.Fatalf("no stored counts, or not every request stored:\n%s", out)
	}
	s.added, _ = strconv.Atoi(m[1])
	s.feedback, _ = strconv.Atoi(f[1])
	s.total, _ = strconv.Atoi(a[1])
	s.feedbackTotal, _ = strconv.Atoi(a[2])
	if s.added == 0 || s.feedback == 0 {
		t.Fatalf("nothing stored: %+v\n%s", s, out)
	}
	return s
}

func TestDemoCommandRejectsBadFlags(t *testing.T) {
	for _, args := range [][]string{{"--duration", "10ms"}, {"--rate", "0"}, {"--rate", "1e6"}, {"extra"},
		{"--data", t.TempDir(), "--duration", "10ms"}} {
		if _, err := execDemo(t, args...); err == nil {
			t.Errorf("flywheel demo %v: accepted", args)
		}
	}
}
