package provenance

import (
	"bytes"
	"context"
	"fmt"
	"os/exec"
	"strings"
	"time"
)

// BuildTagLayout is the timestamp layout of BuildTag: UTC, sortable, and
// made only of characters a tag may hold.
const BuildTagLayout = "20060102T150405Z"

// BuildTag returns an immutable tag for a build of the git work tree at
// dir: "<UTC timestamp>-<short commit>", with "-dirty" when the tree has
// uncommitted changes, such as 20261201T084500Z-10d338d-dirty.
func BuildTag(ctx context.Context, dir string, now time.Time) (string, error) {
	commit, err := git(ctx, dir, "rev-parse", "--short", "HEAD")
	if err != nil {
		return "", err
	}
	status, err := git(ctx, dir, "status", "--porcelain")
	if err != nil {
		return "", err
	}
	tag := now.UTC().Format(BuildTagLayout) + "-" + commit
	if status != "" {
		tag += "-dirty"
	}
	return tag, nil
}

func git(ctx context.Context, dir string, args ...string) (string, error) {
	cmd := exec.CommandContext(ctx, "git", append([]string{"-C", dir}, args...)...)
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		msg := strings.TrimSpace(stderr.String())
		if msg == "" {
			msg = err.Error()
		}
		return "", fmt.Errorf("git %s in %s: %s", strings.Join(args, " "), dir, msg)
	}
	return strings.TrimSpace(string(out)), nil
}
