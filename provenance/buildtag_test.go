package provenance

import (
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/google/go-containerregistry/pkg/name"
)

func TestBuildTag(t *testing.T) {
	t.Parallel()
	if _, err := exec.LookPath("git"); err != nil {
		t.Skip("git is not installed")
	}
	dir := t.TempDir()
	run := func(args ...string) string {
		t.Helper()
		cmd := exec.Command("git", append([]string{"-C", dir, "-c", "user.name=t", "-c", "user.email=t@example.com"}, args...)...)
		cmd.Env = append(os.Environ(), "GIT_CONFIG_GLOBAL=/dev/null", "GIT_CONFIG_SYSTEM=/dev/null")
		out, err := cmd.CombinedOutput()
		if err != nil {
			t.Fatalf("git %v: %v\n%s", args, err, out)
		}
		return strings.TrimSpace(string(out))
	}
	run("init", "-q")
	if err := os.WriteFile(filepath.Join(dir, "f"), []byte("1"), 0o644); err != nil {
		t.Fatal(err)
	}
	run("add", "f")
	run("commit", "-q", "-m", "one")
	commit := run("rev-parse", "--short", "HEAD")
	now := time.Date(2026, 12, 1, 8, 45, 9, 0, time.FixedZone("CET", 3600))
	ctx := context.Background()
	tag, err := BuildTag(ctx, dir, now)
	if err != nil {
		t.Fatal(err)
	}
	if want := "20261201T074509Z-" + commit; tag != want {
		t.Errorf("clean tree: %q, want %q", tag, want)
	}
	if _, err := name.NewTag("registry.example.com/app:"+tag, name.StrictValidation); err != nil {
		t.Errorf("%q is not a valid tag: %v", tag, err)
	}
	if err := os.WriteFile(filepath.Join(dir, "f"), []byte("2"), 0o644); err != nil {
		t.Fatal(err)
	}
	tag, err = BuildTag(ctx, dir, now)
	if err != nil || !regexp.MustCompile(`^\d{8}T\d{6}Z-[0-9a-f]{7,}-dirty$`).MatchString(tag) {
		t.Errorf("dirty tree: %q, %v", tag, err)
	}
	if m, _ := DefaultPolicy().Mutable(tag); m {
		t.Errorf("build tag %q counts as mutable", tag)
	}
	if _, err := BuildTag(ctx, t.TempDir(), now); err == nil || !strings.Contains(err.Error(), "git rev-parse") {
		t.Errorf("outside a repository: %v", err)
	}
}
