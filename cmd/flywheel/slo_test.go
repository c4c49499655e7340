package main

import (
	"bytes"
	"context"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestSLORules runs `flywheel slo rules` on the sample configuration: its
// output is the rule file the promtool test checks.
func TestSLORules(t *testing.T) {
	t.Parallel()
	cfg := filepath.Join("..", "..", "slo", "testdata", "rules-flywheel.yaml")
	got := runCatalogCLI(t, "slo", "rules", "-c", cfg)
	want, err := os.ReadFile(filepath.Join("..", "..", "slo", "testdata", "rules-flywheel.rules.yml"))
	if err != nil {
		t.Fatal(err)
	}
	if got != string(want) {
		t.Errorf("flywheel slo rules printed\n%s\nwant slo/testdata/rules-flywheel.rules.yml", got)
	}
	renamed := runCatalogCLI(t, "slo", "rules", "-c", cfg, "--service", "gw", "--alert-prefix", "GW")
	if !strings.Contains(renamed, "sloth_id: gw-coder-ttft") || !strings.Contains(renamed, "alert: GWCoderTtft") {
		t.Errorf("--service gw --alert-prefix GW: no sloth_id gw-coder-ttft or alert GWCoderTtft in\n%s", renamed)
	}
}

// TestSLORulesErrors checks a file without SLOs and an invalid one.
func TestSLORulesErrors(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	for _, c := range []struct{ yaml, want string }{
		{"server: {}\n", "the configuration declares no slos"},
		{"slos:\n  - {name: a, kind: availability, objective: 100}\n", "f.yaml:2: slos[0].objective: must be strictly between 0 and 100"},
	} {
		path := filepath.Join(dir, "f.yaml")
		if err := os.WriteFile(path, []byte(c.yaml), 0o600); err != nil {
			t.Fatal(err)
		}
		cmd := newRootCommand()
		var out bytes.Buffer
		cmd.SetOut(&out)
		cmd.SetErr(io.Discard)
		cmd.SetArgs([]string{"slo", "rules", "-c", path})
		err := cmd.ExecuteContext(context.Background())
		if err == nil || !strings.Contains(err.Error(), c.want) || out.Len() != 0 {
			t.Errorf("slo rules on %q: err %v, output %q; want %q and no output", c.yaml, err, out.String(), c.want)
		}
	}
}
