package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/flywheel-stack/flywheel/store"
	"github.com/flywheel-stack/flywheel/store/sqlite"
	"github.com/flywheel-stack/flywheel/store/storetest"
	"github.com/google/uuid"
)

// storeFixture writes a SQLite store with three inferences and feedback,
// and a flywheel.yaml pointing at it.
func storeFixture(t *testing.T) (cfgPath string, ins []store.Inference) {
	t.Helper()
	dir := t.TempDir()
	db := filepath.Join(dir, "data", "flywheel.db")
	st, err := sqlite.Open(context.Background(), db, sqlite.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	now := time.Now().UTC().Truncate(time.Second)
	for i, route := range []string{"chat", "coder", "chat"} {
		in := storetest.Sample(uuid.Must(uuid.NewV7()).String(), now.Add(time.Duration(i-3)*time.Minute))
		in.Route, in.Response = route, fmt.Sprintf("answer number %d", i)
		ins = append(ins, in)
	}
	ins[0].Start = now.Add(-3 * time.Hour) // outside --since 1h
	if err := st.WriteInferences(context.Background(), ins); err != nil {
		t.Fatal(err)
	}
	v := 4.0
	if _, _, err := st.WriteFeedback(context.Background(), store.Feedback{ID: uuid.Must(uuid.NewV7()).String(),
		InferenceID: ins[2].ID, Metric: "rating", Kind: "float", Value: &v, Comment: "close enough", Created: now}); err != nil {
		t.Fatal(err)
	}
	cfgPath = filepath.Join(dir, "flywheel.yaml")
	if err := os.WriteFile(cfgPath, []byte(fmt.Sprintf("store: {driver: sqlite, dsn: %q}\n", db)), 0o644); err != nil {
		t.Fatal(err)
	}
	return cfgPath, ins
}

func runCLI(t *testing.T, args ...string) (string, error) {
	t.Helper()
	var out bytes.Buffer
	cmd := newRootCommand()
	cmd.SetOut(&out)
	cmd.SetErr(&out)
	cmd.SetArgs(args)
	err := cmd.ExecuteContext(context.Background())
	return out.String(), err
}

func TestInferencesList(t *testing.T) {
	cfg, ins := storeFixture(t)
	out, err := runCLI(t, "inferences", "list", "-c", cfg, "--route", "chat", "--since", "1h")
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(out, ins[2].ID) || strings.Contains(out, ins[0].ID) || strings.Contains(out, ins[1].ID) {
		t.Errorf("list --route chat --since 1h:\n%s\nwant only %s", out, ins[2].ID)
	}
	out, err = runCLI(t, "inferences", "list", "-c", cfg, "--json", "--limit", "2")
	if err != nil {
		t.Fatal(err)
	}
	lines := strings.Split(strings.TrimSpace(out), "\n")
	if len(lines) != 2 {
		t.Fatalf("--json --limit 2 printed %d lines:\n%s", len(lines), out)
	}
	var first store.Inference
	if err := json.Unmarshal([]byte(lines[0]), &first); err != nil || first.ID != ins[2].ID || first.Response != ins[2].Response {
		t.Errorf("first JSON line = %+v, %v; want the newest inference", first, err)
	}
	out, err = runCLI(t, "inferences", "list", "-c", cfg, "--metric", "rating")
	if err != nil || !strings.Contains(out, ins[2].ID) || strings.Contains(out, ins[1].ID) {
		t.Errorf("list --metric rating:\n%s (%v)", out, err)
	}
}

func TestInferencesShowWithFeedback(t *testing.T) {
	cfg, ins := storeFixture(t)
	out, err := runCLI(t, "inferences", "show", ins[2].ID, "-c", cfg)
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{ins[2].ID, "answer number 2", "feedback (1):", "rating", "close enough", "llama/qwen2.5-7b"} {
		if !strings.Contains(out, want) {
			t.Errorf("show lacks %q:\n%s", want, out)
		}
	}
	missing := uuid.Must(uuid.NewV7()).String()
	if _, err := runCLI(t, "inferences", "show", missing, "-c", cfg); err == nil || !strings.Contains(err.Error(), missing) {
		t.Errorf("show of an unknown id: %v", err)
	}
}

func TestFeedbackList(t *testing.T) {
	cfg, ins := storeFixture(t)
	out, err := runCLI(t, "feedback", "list", "-c", cfg, "--metric", "rating")
	if err != nil || !strings.Contains(out, ins[2].ID) || !strings.Contains(out, "close enough") {
		t.Errorf("feedback list:\n%s (%v)", out, err)
	}
	out, err = runCLI(t, "feedback", "list", "-c", cfg, "--metric", "thumbs_up")
	if err != nil || !strings.Contains(out, "no feedback") {
		t.Errorf("feedback list of an unused metric:\n%s (%v)", out, err)
	}
	out, err = runCLI(t, "feedback", "list", "-c", cfg, "--json")
	var f store.Feedback
	if err != nil || json.Unmarshal([]byte(strings.TrimSpace(out)), &f) != nil || f.Value == nil || *f.Value != 4 {
		t.Errorf("feedback list --json: %s (%v)", out, err)
	}
}
