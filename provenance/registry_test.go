package provenance

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"log"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/flywheel-stack/flywheel/clock"
	"github.com/google/go-containerregistry/pkg/name"
	"github.com/google/go-containerregistry/pkg/registry"
	v1 "github.com/google/go-containerregistry/pkg/v1"
	"github.com/google/go-containerregistry/pkg/v1/random"
	"github.com/google/go-containerregistry/pkg/v1/remote"
)

// testRegistry is a real OCI registry (go-containerregistry's pkg/registry)
// on a loopback port, with a hook in front of it.
type testRegistry struct {
	host string
	// manifestCalls counts requests for manifests by path.
	mu            sync.Mutex
	manifestCalls map[string]int
	// throttle, while above 0, answers manifest requests with 429 and
	// Retry-After: 7, counting down.
	throttle atomic.Int32
	// noDigestOnHead drops Docker-Content-Digest from HEAD answers, as
	// some registries do.
	noDigestOnHead atomic.Bool
	// While gated, each manifest request waits to receive from gate;
	// inFlight and maxInFlight count the waiting ones.
	gated                 atomic.Bool
	gate                  chan struct{}
	inFlight, maxInFlight atomic.Int32
}

// headerDropper removes one header from the answers it passes on.
type headerDropper struct {
	http.ResponseWriter
	drop string
}

func (h headerDropper) WriteHeader(code int) {
	h.Header().Del(h.drop)
	h.ResponseWriter.WriteHeader(code)
}

func newTestRegistry(t *testing.T) *testRegistry {
	t.Helper()
	reg := registry.New(registry.Logger(log.New(io.Discard, "", 0)))
	tr := &testRegistry{manifestCalls: map[string]int{}, gate: make(chan struct{})}
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if strings.Contains(r.URL.Path, "/manifests/") && (r.Method == http.MethodHead || r.Method == http.MethodGet) {
			tr.mu.Lock()
			tr.manifestCalls[r.URL.Path]++
			tr.mu.Unlock()
			if tr.gated.Load() {
				n := tr.inFlight.Add(1)
				for m := tr.maxInFlight.Load(); n > m && !tr.maxInFlight.CompareAndSwap(m, n); m = tr.maxInFlight.Load() {
				}
				<-tr.gate
				tr.inFlight.Add(-1)
			}
			if tr.throttle.Add(-1) >= 0 {
				w.Header().Set("Retry-After", "7")
				http.Error(w, `{"errors":[{"code":"TOOMANYREQUESTS","message":"slow down"}]}`, http.StatusTooManyRequests)
				return
			}
		}
		if r.Method == http.MethodHead && tr.noDigestOnHead.Load() {
			w = headerDropper{w, "Docker-Content-Digest"}
		}
		reg.ServeHTTP(w, r)
	}))
	t.Cleanup(srv.Close)
	tr.host = strings.TrimPrefix(srv.URL, "http://")
	return tr
}

// resetCalls forgets the requests made so far (a push asks for manifests
// too).
func (tr *testRegistry) resetCalls() {
	tr.mu.Lock()
	defer tr.mu.Unlock()
	clear(tr.manifestCalls)
}

func (tr *testRegistry) calls(path string) int {
	tr.mu.Lock()
	defer tr.mu.Unlock()
	return tr.manifestCalls[path]
}

func (tr *testRegistry) pushImage(t *testing.T, repoTag string) v1.Hash {
	t.Helper()
	img, err := random.Image(256, 1)
	if err != nil {
		t.Fatal(err)
	}
	ref, err := name.NewTag(tr.host+"/"+repoTag, name.Insecure)
	if err != nil {
		t.Fatal(err)
	}
	if err := remote.Write(ref, img); err != nil {
		t.Fatal(err)
	}
	d, err := img.Digest()
	if err != nil {
		t.Fatal(err)
	}
	return d
}

func (tr *testRegistry) pushIndex(t *testing.T, repoTag string) v1.Hash {
	t.Helper()
	idx, err := random.Index(256, 1, 3)
	if err != nil {
		t.Fatal(err)
	}
	ref, err := name.NewTag(tr.host+"/"+repoTag, name.Insecure)
	if err != nil {
		t.Fatal(err)
	}
	if err := remote.WriteIndex(ref, idx); err != nil {
		t.Fatal(err)
	}
	d, err := idx.Digest()
	if err != nil {
		t.Fatal(err)
	}
	return d
}

func (tr *testRegistry) resolver(clk clock.Clock) *Resolver {
	retry := RegistryRetry()
	retry.Clock = clk
	return NewResolver(ResolverConfig{Retry: retry, Concurrency: 2, Insecure: []string{tr.host},
		Keychain: anonymousKeychain{}})
}

func writeFile(t *testing.T, dir, name, content string) string {
	t.Helper()
	p := filepath.Join(dir, name)
	if err := os.WriteFile(p, []byte(content), 0o640); err != nil {
		t.Fatal(err)
	}
	return p
}

func scanOne(t *testing.T, paths ...string) []File {
	t.Helper()
	files, errs := Scan(paths)
	if len(errs) > 0 {
		t.Fatal(errs)
	}
	return files
}

// manifestWithComments is a manifest written by hand: comments, odd
// indentation, quotes, flow style, and the image name in a comment that
// must not change.
const manifestWithComments = `# The app. Image: HOST/app:v1 (keep this comment as is)
apiVersion: apps/v1
kind: Deployment
metadata:
   name: app   # three-space indent
spec:
   template:
      spec:
         containers:
            -   name: app
                image:    HOST/app:v1     # pinned by flywheel images pin
                imagePullPolicy: IfNotPresent
            - {name: side, image: "HOST/multi:v1"}
         initContainers:
         -  name: init
            image: 'HOST/app:v1'
---
# compose-style doc follows? no: a second object
apiVersion: v1
kind: Pod
metadata: {name: p}
spec:
  containers:
  - name: c
    image: HOST/app:v1@sha256:0000000000000000000000000000000000000000000000000000000000000000
`

func TestPinRoundTripAndVerify(t *testing.T) {
	t.Parallel()
	tr := newTestRegistry(t)
	appV1 := tr.pushImage(t, "app:v1")
	multi := tr.pushIndex(t, "multi:v1")
	dir := t.TempDir()
	original := strings.ReplaceAll(manifestWithComments, "HOST", tr.host)
	path := writeFile(t, dir, "app.yaml", original)
	df := writeFile(t, dir, "Dockerfile", "ARG BASE="+tr.host+"/multi:v1\nFROM ${BASE} AS run\nCOPY --from="+tr.host+"/app:v1 /a /a\n")

	ctx := context.Background()
	tr.resetCalls()
	res := tr.resolver(nil).Pin(ctx, scanOne(t, path, df))
	if len(res.Errors) > 0 {
		t.Fatal(res.Errors)
	}
	if res.Resolved != 2 || res.AlreadyPinned != 1 || len(res.Files) != 2 {
		t.Fatalf("resolved %d, already pinned %d, files %d; want 2, 1, 2", res.Resolved, res.AlreadyPinned, len(res.Files))
	}
	// Each distinct reference is asked once, however often it is written.
	if n := tr.calls("/v2/app/manifests/v1"); n != 1 {
		t.Errorf("app:v1 asked %d times, want 1", n)
	}

	// Only the image tokens change; every other byte stays.
	pinned := string(res.Files[0].New)
	want := strings.NewReplacer(
		"image:    "+tr.host+"/app:v1 ", "image:    "+tr.host+"/app:v1@"+appV1.String()+" ",
		`"`+tr.host+`/multi:v1"`, `"`+tr.host+`/multi:v1@`+multi.String()+`"`,
		`'`+tr.host+`/app:v1'`, `'`+tr.host+`/app:v1@`+appV1.String()+`'`,
	).Replace(original)
	if pinned != want {
		t.Errorf("pinned manifest:\n%s\nwant:\n%s", pinned, want)
	}
	oldLines, newLines := strings.Split(original, "\n"), strings.Split(pinned, "\n")
	var changed []int
	for i := range oldLines {
		if oldLines[i] != newLines[i] {
			changed = append(changed, i+1)
		}
	}
	if fmt.Sprint(changed) != "[11 13 16]" {
		t.Errorf("changed lines %v, want [11 13 16]", changed)
	}
	wantDockerfile := "ARG BASE=" + tr.host + "/multi:v1@" + multi.String() + "\nFROM ${BASE} AS run\nCOPY --from=" +
		tr.host + "/app:v1@" + appV1.String() + " /a /a\n"
	if got := string(res.Files[1].New); got != wantDockerfile {
		t.Errorf("pinned Dockerfile:\n%s\nwant:\n%s", got, wantDockerfile)
	}

	var diff bytes.Buffer
	if err := res.WriteDiff(&diff); err != nil {
		t.Fatal(err)
	}
	removed, added := 0, 0
	for _, l := range strings.Split(diff.String(), "\n") {
		switch {
		case strings.HasPrefix(l, "---"), strings.HasPrefix(l, "+++"):
		case strings.HasPrefix(l, "-"):
			removed++
		case strings.HasPrefix(l, "+"):
			added++
		}
	}
	if !strings.Contains(diff.String(), "--- "+path+"\n+++ "+path+"\n@@ -8,12 +8,12 @@\n") || removed != 5 || added != 5 {
		t.Errorf("diff:\n%s", diff.String())
	}
	if errs := res.Write(); len(errs) > 0 {
		t.Fatal(errs)
	}
	if info, err := os.Stat(path); err != nil || info.Mode().Perm() != 0o640 {
		t.Errorf("mode after write: %v %v, want 0640", info.Mode(), err)
	}
	if entries, _ := os.ReadDir(dir); len(entries) != 2 {
		t.Errorf("%d files in the directory after the write, want 2 (no temp file left)", len(entries))
	}

	// Idempotent: a second pin finds nothing to do.
	again := tr.resolver(nil).Pin(ctx, scanOne(t, path, df))
	if len(again.Files) != 0 || again.Resolved != 0 || len(again.Errors) != 0 {
		t.Errorf("second pin: %d files, %d resolved, errors %v", len(again.Files), again.Resolved, again.Errors)
	}

	// Verify: all pinned digests exist, except the zero digest written
	// by hand; tags still point where they were pinned.
	rep := tr.resolver(nil).Verify(ctx, scanOne(t, path, df))
	if got := rules(rep); got != "digest-missing@25" {
		t.Errorf("verify findings %q, want digest-missing@25", got)
	}

	// The tag moves: verify reports each place that pinned the old digest.
	moved := tr.pushImage(t, "app:v1")
	rep = tr.resolver(nil).Verify(ctx, scanOne(t, path, df))
	if got := rules(rep); got != "tag-moved@11 tag-moved@16 digest-missing@25 tag-moved@3" {
		t.Errorf("verify after the tag moved: %q", got)
	}
	for _, f := range rep.Findings {
		if f.Rule == RuleTagMoved && !strings.Contains(f.Message, "has moved to "+moved.String()) {
			t.Errorf("tag-moved finding says %q", f.Message)
		}
	}

	// A pinned digest deleted from the registry is reported as missing.
	del, _ := name.NewDigest(tr.host+"/multi@"+multi.String(), name.Insecure)
	if err := remote.Delete(del); err != nil {
		t.Fatal(err)
	}
	rep = tr.resolver(nil).Verify(ctx, scanOne(t, df))
	if got := rules(rep); got != "digest-missing@1 tag-moved@3" {
		t.Errorf("verify after delete: %q", got)
	}
}

func TestPinHonoursRetryAfter(t *testing.T) {
	t.Parallel()
	tr := newTestRegistry(t)
	digest := tr.pushImage(t, "app:v2")
	path := writeFile(t, t.TempDir(), "pod.yaml",
		"kind: Pod\nspec:\n  containers:\n  - name: a\n    image: "+tr.host+"/app:v2\n")
	files := scanOne(t, path)
	clk := clock.NewFake(time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC))
	resolver := tr.resolver(clk)
	tr.resetCalls()
	tr.throttle.Store(2)

	done := make(chan *PinResult, 1)
	go func() { done <- resolver.Pin(context.Background(), files) }()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	for i := range 2 {
		if err := clk.WaitForTimers(ctx, 1); err != nil {
			t.Fatalf("retry %d: the resolver never waited: %v", i+1, err)
		}
		if d := clk.NextTimerIn(); d != 7*time.Second {
			t.Errorf("retry %d waits %s, want the 7s of Retry-After", i+1, d)
		}
		clk.Advance(7 * time.Second)
	}
	res := <-done
	if len(res.Errors) > 0 {
		t.Fatal(res.Errors)
	}
	if got := string(res.Files[0].New); !strings.HasSuffix(got, "/app:v2@"+digest.String()+"\n") {
		t.Errorf("pinned:\n%s", got)
	}
	if st := resolver.Retrier().Stats(); st.Retries != 2 {
		t.Errorf("retries %d, want 2", st.Retries)
	}
	if n := tr.calls("/v2/app/manifests/v2"); n != 3 {
		t.Errorf("manifest asked %d times, want 3 (two 429, one 200)", n)
	}
}

func TestPinReportsEachImageAndKeepsGoing(t *testing.T) {
	t.Parallel()
	tr := newTestRegistry(t)
	good := tr.pushImage(t, "ok:v1")
	dir := t.TempDir()
	path := writeFile(t, dir, "compose.yaml", "services:\n  a:\n    image: "+tr.host+"/ok:v1\n  b:\n    image: "+
		tr.host+"/gone:v1\n  c:\n    image: ${IMAGE}\n")
	res := tr.resolver(nil).Pin(context.Background(), scanOne(t, path))
	if len(res.Errors) != 2 {
		t.Fatalf("errors %v, want 2", res.Errors)
	}
	var ie *ImageError
	if !errors.As(res.Errors[1], &ie) || ie.Occurrence.Line != 5 || !errors.Is(res.Errors[1], ErrNotFound) ||
		!strings.HasPrefix(res.Errors[1].Error(), path+":5: "+tr.host+"/gone:v1: ") {
		t.Errorf("error for the missing image: %v", res.Errors[1])
	}
	if !strings.Contains(res.Errors[0].Error(), ":7: ${IMAGE}: invalid image reference") {
		t.Errorf("error for the unparsable image: %v", res.Errors[0])
	}
	if len(res.Files) != 1 || !strings.Contains(string(res.Files[0].New), "/ok:v1@"+good.String()+"\n") {
		t.Errorf("the good image was not pinned: %+v", res.Files)
	}
}

func TestPinFallsBackToGetWithoutDigestHeader(t *testing.T) {
	t.Parallel()
	tr := newTestRegistry(t)
	digest := tr.pushIndex(t, "multi:v3")
	tr.noDigestOnHead.Store(true)
	tr.resetCalls()
	path := writeFile(t, t.TempDir(), "compose.yaml", "services:\n  a:\n    image: "+tr.host+"/multi:v3\n")
	res := tr.resolver(nil).Pin(context.Background(), scanOne(t, path))
	if len(res.Errors) > 0 {
		t.Fatal(res.Errors)
	}
	if got := string(res.Files[0].New); !strings.Contains(got, "/multi:v3@"+digest.String()+"\n") {
		t.Errorf("pinned:\n%s\nwant the index digest %s", got, digest)
	}
	if n := tr.calls("/v2/multi/manifests/v3"); n != 2 {
		t.Errorf("manifest asked %d times, want 2 (HEAD, then GET)", n)
	}
}

func TestPinRewritesAYAMLAnchorOnce(t *testing.T) {
	t.Parallel()
	tr := newTestRegistry(t)
	digest := tr.pushImage(t, "app:v4")
	content := "x-image: &img HOST/app:v4\nservices:\n  a: {image: *img}\n  b:\n    image: *img\n"
	path := writeFile(t, t.TempDir(), "compose.yaml", strings.ReplaceAll(content, "HOST", tr.host))
	files := scanOne(t, path)
	if n := len(files[0].Occurrences); n != 2 || files[0].Occurrences[1].Line != 1 {
		t.Fatalf("occurrences %+v, want two at the anchor on line 1", files[0].Occurrences)
	}
	res := tr.resolver(nil).Pin(context.Background(), files)
	if len(res.Errors) > 0 {
		t.Fatal(res.Errors)
	}
	want := strings.ReplaceAll(strings.Replace(content, "HOST/app:v4", "HOST/app:v4@"+digest.String(), 1), "HOST", tr.host)
	if got := string(res.Files[0].New); got != want {
		t.Errorf("pinned:\n%s\nwant:\n%s", got, want)
	}
}

func TestPinKustomizeImages(t *testing.T) {
	t.Parallel()
	tr := newTestRegistry(t)
	digest := tr.pushIndex(t, "app:v5")
	content := "apiVersion: kustomize.config.k8s.io/v1beta1\r\nkind: Kustomization\r\nimages:\r\n  - name: app\r\n" +
		"    newName: HOST/app   # the registry copy\r\n    newTag: v5\r\nresources: [deployment.yaml]\r\n"
	path := writeFile(t, t.TempDir(), "kustomization.yaml", strings.ReplaceAll(content, "HOST", tr.host))
	res := tr.resolver(nil).Pin(context.Background(), scanOne(t, path))
	if len(res.Errors) > 0 || len(res.Files) != 1 {
		t.Fatalf("errors %v, files %d", res.Errors, len(res.Files))
	}
	want := strings.ReplaceAll(strings.Replace(content, "newTag: v5\r\n", "newTag: v5\r\n    digest: "+digest.String()+"\r\n", 1), "HOST", tr.host)
	if got := string(res.Files[0].New); got != want {
		t.Errorf("pinned:\n%q\nwant:\n%q", got, want)
	}
	var diff bytes.Buffer
	if err := res.WriteDiff(&diff); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(diff.String(), "@@ -4,4 +4,5 @@\n") || !strings.Contains(diff.String(), "\n+    digest: "+digest.String()+"\r\n") {
		t.Errorf("diff:\n%s", diff.String())
	}
	if errs := res.Write(); len(errs) > 0 {
		t.Fatal(errs)
	}
	files := scanOne(t, path)
	if again := tr.resolver(nil).Pin(context.Background(), files); len(again.Files) != 0 || again.AlreadyPinned != 1 {
		t.Errorf("second pin: %d files, %d already pinned", len(again.Files), again.AlreadyPinned)
	}
	if rep := tr.resolver(nil).Verify(context.Background(), files); len(rep.Findings) != 0 {
		t.Errorf("verify: %s", rules(rep))
	}
}

func TestPinStopsWhenCancelled(t *testing.T) {
	t.Parallel()
	tr := newTestRegistry(t)
	tr.pushImage(t, "app:v6")
	path := writeFile(t, t.TempDir(), "pod.yaml", "kind: Pod\nspec:\n  containers: [{name: a, image: "+tr.host+"/app:v6}]\n")
	files := scanOne(t, path)
	clk := clock.NewFake(time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC))
	tr.throttle.Store(100)
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan *PinResult, 1)
	go func() { done <- tr.resolver(clk).Pin(ctx, files) }()
	wctx, wcancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer wcancel()
	if err := clk.WaitForTimers(wctx, 1); err != nil {
		t.Fatal(err)
	}
	cancel() // while it waits out a Retry-After
	res := <-done
	if len(res.Errors) != 1 || !errors.Is(res.Errors[0], context.Canceled) || len(res.Files) != 0 {
		t.Errorf("after cancel: errors %v, files %d", res.Errors, len(res.Files))
	}
}

func TestPinBoundsConcurrency(t *testing.T) {
	t.Parallel()
	tr := newTestRegistry(t)
	var content strings.Builder
	content.WriteString("services:\n")
	for i := range 6 {
		tr.pushImage(t, fmt.Sprintf("img%d:v1", i))
		fmt.Fprintf(&content, "  s%d: {image: %s/img%d:v1}\n", i, tr.host, i)
	}
	path := writeFile(t, t.TempDir(), "compose.yaml", content.String())
	files := scanOne(t, path)
	tr.gated.Store(true)
	resolver := tr.resolver(nil) // concurrency 2
	done := make(chan *PinResult, 1)
	go func() { done <- resolver.Pin(context.Background(), files) }()
	// Let the requests through one at a time, each once two are held.
	deadline := time.Now().Add(10 * time.Second)
	tick := time.NewTicker(time.Millisecond)
	defer tick.Stop()
	for released := 0; released < 6; released++ {
		for want := min(2, 6-released); tr.inFlight.Load() < int32(want); <-tick.C {
			if time.Now().After(deadline) {
				t.Fatalf("after %d released, %d requests in flight, want %d", released, tr.inFlight.Load(), want)
			}
		}
		tr.gate <- struct{}{}
	}
	res := <-done
	if len(res.Errors) > 0 || res.Resolved != 6 {
		t.Fatalf("resolved %d, errors %v", res.Resolved, res.Errors)
	}
	if m := tr.maxInFlight.Load(); m != 2 {
		t.Errorf("at most %d lookups were in flight, want exactly the bound 2", m)
	}
}
