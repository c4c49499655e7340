package main

import (
	"bytes"
	"context"
	"errors"
	"io"
	"log"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-containerregistry/pkg/name"
	"github.com/google/go-containerregistry/pkg/registry"
	"github.com/google/go-containerregistry/pkg/v1/random"
	"github.com/google/go-containerregistry/pkg/v1/remote"
)

// runFlywheel runs the command line and returns stdout, stderr and the
// exit status main would use.
func runFlywheel(t *testing.T, args ...string) (string, string, int) {
	t.Helper()
	cmd := newRootCommand()
	var out, errOut bytes.Buffer
	cmd.SetOut(&out)
	cmd.SetErr(&errOut)
	cmd.SetArgs(args)
	err := cmd.ExecuteContext(context.Background())
	code := 0
	var ec exitCode
	switch {
	case errors.As(err, &ec):
		code = int(ec)
	case err != nil:
		errOut.WriteString(err.Error())
		code = 1
	}
	return out.String(), errOut.String(), code
}

func TestImagesCheckExitStatus(t *testing.T) {
	dir := t.TempDir()
	good := filepath.Join(dir, "good.yaml")
	if err := os.WriteFile(good, []byte("kind: Pod\nspec:\n  containers: [{name: a, image: nginx:1.27}]\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	if out, _, code := runFlywheel(t, "images", "check", good); code != 0 || !strings.Contains(out, "0 findings") {
		t.Errorf("clean file: exit %d, output %q", code, out)
	}
	out, _, code := runFlywheel(t, "images", "check", "--mutable-pattern", `1\..*`, good)
	if code != 1 || !strings.Contains(out, good+`:3: image "nginx:1.27": tag "1.27" matches the mutable-tag pattern`) {
		t.Errorf("pattern: exit %d, output %q", code, out)
	}
	bad := filepath.Join(dir, "bad.yaml")
	if err := os.WriteFile(bad, []byte("kind: Pod\nspec: [\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	out, _, code = runFlywheel(t, "images", "check", "--require-digest", dir)
	if code != 2 || !strings.Contains(out, bad+":") || !strings.Contains(out, good+":3: image \"nginx:1.27\" is not pinned by digest") {
		t.Errorf("unreadable file: exit %d, output %q", code, out)
	}
	if _, errOut, code := runFlywheel(t, "images", "check", "--format", "xml", good); code != 1 || !strings.Contains(errOut, "unknown format") {
		t.Errorf("bad format: exit %d, %q", code, errOut)
	}
}

func TestImagesPinWriteAndVerify(t *testing.T) {
	t.Setenv("DOCKER_CONFIG", t.TempDir()) // no credentials from the developer's machine
	srv := httptest.NewServer(registry.New(registry.Logger(log.New(io.Discard, "", 0))))
	defer srv.Close()
	host := strings.TrimPrefix(srv.URL, "http://")
	img, err := random.Image(128, 1)
	if err != nil {
		t.Fatal(err)
	}
	ref, _ := name.NewTag(host+"/flywheel:20261201T084509Z-10d338d", name.Insecure)
	if err := remote.Write(ref, img); err != nil {
		t.Fatal(err)
	}
	digest, _ := img.Digest()

	dir := t.TempDir()
	manifest := filepath.Join(dir, "deployment.yaml")
	original := "kind: Deployment\nspec:\n  template:\n    spec:\n      containers:\n        - name: flywheel   # the gateway\n          image: " +
		ref.String() + "\n"
	if err := os.WriteFile(manifest, []byte(original), 0o644); err != nil {
		t.Fatal(err)
	}

	out, errOut, code := runFlywheel(t, "images", "pin", dir)
	if code != 0 || !strings.Contains(out, "+          image: "+ref.String()+"@"+digest.String()+"\n") ||
		!strings.Contains(errOut, "would pin 1 images in 1 files") {
		t.Fatalf("dry run: exit %d\n%s\n%s", code, out, errOut)
	}
	if data, _ := os.ReadFile(manifest); string(data) != original {
		t.Fatal("the dry run changed the file")
	}
	if _, _, code := runFlywheel(t, "images", "pin", "--write", "--dry-run", dir); code == 0 {
		t.Error("--write with --dry-run was accepted")
	}
	if _, errOut, code := runFlywheel(t, "images", "pin", "--write", dir); code != 0 || !strings.Contains(errOut, "pinned 1 images") {
		t.Fatalf("write: exit %d, %s", code, errOut)
	}
	want := strings.Replace(original, ref.String(), ref.String()+"@"+digest.String(), 1)
	if data, _ := os.ReadFile(manifest); string(data) != want {
		t.Errorf("after --write:\n%s\nwant:\n%s", data, want)
	}
	if out, _, code := runFlywheel(t, "images", "verify", dir); code != 0 || !strings.Contains(out, "0 findings") {
		t.Errorf("verify: exit %d, %s", code, out)
	}
	if out, _, code := runFlywheel(t, "images", "check", "--require-digest", dir); code != 0 {
		t.Errorf("check after the pin: exit %d, %s", code, out)
	}
}
