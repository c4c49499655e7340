package main

import (
	"bytes"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func writeDriftFile(t *testing.T, name string, rows int, shift int) string {
	t.Helper()
	var b strings.Builder
	b.WriteString("latency,finish_reason\n")
	for i := 0; i < rows; i++ {
		reason := "stop"
		if i%10 < shift {
			reason = "length"
		}
		fmt.Fprintf(&b, "%d,%s\n", i%97+shift*20, reason)
	}
	b.WriteString("NaN,stop\n")
	p := filepath.Join(t.TempDir(), name)
	if err := os.WriteFile(p, []byte(b.String()), 0o600); err != nil {
		t.Fatal(err)
	}
	return p
}

func runDriftCommand(t *testing.T, args ...string) (string, error) {
	t.Helper()
	cmd := newRootCommand()
	var out bytes.Buffer
	cmd.SetOut(&out)
	cmd.SetErr(&out)
	cmd.SetArgs(args)
	err := cmd.Execute()
	return out.String(), err
}

func TestMonitorDriftPrintsEveryColumn(t *testing.T) {
	t.Parallel()
	ref := writeDriftFile(t, "ref.csv", 300, 0)
	cur := writeDriftFile(t, "cur.csv", 300, 3)
	out, err := runDriftCommand(t, "monitor", "drift", "--reference", ref, "--current", cur)
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"latency", "ks (exact p)", "finish_reason", "chi-square", "dropped 1 NaN", "2 of 2 columns drifted"} {
		if !strings.Contains(out, want) {
			t.Errorf("output lacks %q:\n%s", want, out)
		}
	}
	out, err = runDriftCommand(t, "monitor", "drift", "--reference", ref, "--current", ref, "--json", "--categorical", "latency")
	if err != nil {
		t.Fatal(err)
	}
	var rep struct {
		Columns []struct {
			Column, Kind, Verdict string
			Tests                 []struct {
				Test      string
				Statistic float64
				PValue    *float64 `json:"p_value"`
			}
		}
		Drifted int
	}
	if err := json.Unmarshal([]byte(out), &rep); err != nil {
		t.Fatalf("%v:\n%s", err, out)
	}
	if len(rep.Columns) != 2 || rep.Columns[0].Kind != "categorical" || rep.Drifted != 0 || rep.Columns[0].Tests[0].PValue == nil {
		t.Errorf("a file against itself, latency forced categorical: %+v", rep)
	}
}

func TestMonitorDriftBadInput(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	ragged := filepath.Join(dir, "ragged.csv")
	if err := os.WriteFile(ragged, []byte("a,b\n1,2\n3\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	empty := filepath.Join(dir, "empty.csv")
	if err := os.WriteFile(empty, nil, 0o600); err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		args []string
		want string
	}{
		{[]string{"--reference", ragged, "--current", ragged}, "line 3: 1 fields, but the header has 2"},
		{[]string{"--reference", empty, "--current", ragged}, "is empty"},
		{[]string{"--reference", ragged}, "both --reference and --current are required"},
		{[]string{"--reference", filepath.Join(dir, "nope.csv"), "--current", ragged}, "no such file"},
	} {
		_, err := runDriftCommand(t, append([]string{"monitor", "drift"}, tc.args...)...)
		if err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%v: error %v, want %q", tc.args, err, tc.want)
		}
	}
}
