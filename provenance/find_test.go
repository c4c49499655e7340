package provenance

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// found summarises an occurrence for comparison.
type found struct {
	line, col int
	text      string
	image     string
	where     string
	policy    string
}

func summarise(occ []Occurrence) []found {
	var out []found
	for _, o := range occ {
		out = append(out, found{o.Line, o.Column, o.Text, o.Image, o.Where, o.PullPolicy})
	}
	return out
}

func compareFound(t *testing.T, got []Occurrence, want []found) {
	t.Helper()
	g := summarise(got)
	if len(g) != len(want) {
		t.Fatalf("found %d images, want %d:\n%+v", len(g), len(want), g)
	}
	for i := range want {
		if g[i] != want[i] {
			t.Errorf("image %d:\n got %+v\nwant %+v", i, g[i], want[i])
		}
	}
}

const kubernetesStream = `# Source: chart/templates/all.yaml
apiVersion: v1
kind: Pod
metadata: {name: p}
spec:
  containers:
    - name: a
      image: busybox
---
apiVersion: apps/v1
kind: Deployment
metadata:
  name: web
spec:
  template:
    spec:
      initContainers:
      - name: migrate
        image: "registry.example.com/migrate:v1"
      containers:
      - name: app
        image: registry.example.com/app:dev
        imagePullPolicy: IfNotPresent
      ephemeralContainers:
      - {name: debug, image: 'busybox:1.36'}
---
---
apiVersion: batch/v1
kind: CronJob
metadata: {name: nightly}
spec:
  jobTemplate:
    spec:
      template:
        spec:
          containers:
          - name: job
            image: ghcr.io/o/job:latest
            imagePullPolicy: Always
---
apiVersion: v1
kind: List
items:
- apiVersion: apps/v1
  kind: StatefulSet
  metadata: {name: db}
  spec:
    template:
      spec:
        containers: [{name: pg, image: postgres:16}]
- apiVersion: apps/v1
  kind: DaemonSet
  metadata: {name: agent}
  spec:
    template:
      spec:
        containers: [{name: node, image: prom/node-exporter:v1.8.0}]
`

func TestFindKubernetes(t *testing.T) {
	t.Parallel()
	f, err := ScanBytes("all.yaml", KindYAML, []byte(kubernetesStream))
	if err != nil {
		t.Fatal(err)
	}
	compareFound(t, f.Occurrences, []found{
		{8, 14, "busybox", "busybox", "Pod/p container a", ""},
		{19, 17, "registry.example.com/migrate:v1", "registry.example.com/migrate:v1", "Deployment/web init container migrate", ""},
		{22, 16, "registry.example.com/app:dev", "registry.example.com/app:dev", "Deployment/web container app", "IfNotPresent"},
		{25, 31, "busybox:1.36", "busybox:1.36", "Deployment/web ephemeral container debug", ""},
		{38, 20, "ghcr.io/o/job:latest", "ghcr.io/o/job:latest", "CronJob/nightly container job", "Always"},
		{50, 40, "postgres:16", "postgres:16", "StatefulSet/db container pg", ""},
		{57, 42, "prom/node-exporter:v1.8.0", "prom/node-exporter:v1.8.0", "DaemonSet/agent container node", ""},
	})
	for _, o := range f.Occurrences {
		if o.Source != SourceKubernetes || !o.Rewritable {
			t.Errorf("%+v: want a rewritable kubernetes occurrence", o)
		}
	}
}

func TestFindComposeAndKustomize(t *testing.T) {
	t.Parallel()
	compose := `services:
  db:
    image: postgres:16.4
  cache:
    image: redis
    pull_policy: always
  api:
    build: .
`
	f, err := ScanBytes("compose.yaml", KindYAML, []byte(compose))
	if err != nil {
		t.Fatal(err)
	}
	compareFound(t, f.Occurrences, []found{
		{3, 12, "postgres:16.4", "postgres:16.4", "service db", ""},
		{5, 12, "redis", "redis", "service cache", "Always"},
	})

	kust := `apiVersion: kustomize.config.k8s.io/v1beta1
kind: Kustomization
resources: [deployment.yaml]
images:
  - name: app
    newName: registry.example.com/app
    newTag: main
  - name: sidecar
    digest: sha256:` + strings.Repeat("a", 64) + `
`
	f, err = ScanBytes("kustomization.yaml", KindYAML, []byte(kust))
	if err != nil {
		t.Fatal(err)
	}
	compareFound(t, f.Occurrences, []found{
		{7, 13, "main", "registry.example.com/app:main", "images entry app", ""},
		{8, 11, "sidecar", "sidecar@sha256:" + strings.Repeat("a", 64), "images entry sidecar", ""},
	})
	if o := f.Occurrences[0]; !o.Rewritable || o.insertAfter != 7 || o.indent != "    " {
		t.Errorf("block entry: rewritable %v, digest after line %d indented %q; want true, 7, 4 spaces", o.Rewritable, o.insertAfter, o.indent)
	}
	f, err = ScanBytes("kustomization.yaml", KindYAML, []byte("images:\n- {name: app, newTag: v1}\n"))
	if err != nil || len(f.Occurrences) != 1 || f.Occurrences[0].Rewritable {
		t.Errorf("a flow-style entry cannot take a digest line: %+v %v", f.Occurrences, err)
	}
}

func TestFindDockerfile(t *testing.T) {
	t.Parallel()
	df := `# syntax=docker/dockerfile:1
ARG GO_IMAGE=golang:1.26-alpine
ARG BASE="gcr.io/distroless/static-debian12:nonroot"
ARG REGISTRY=ghcr.io
FROM --platform=$BUILDPLATFORM ${GO_IMAGE} AS build
ARG VERSION=dev
RUN go build ./...
FROM build AS test
RUN go test ./...
FROM $REGISTRY/o/tools:v2 AS tools
FROM scratch AS empty
FROM \
    ${BASE}
COPY --from=build /out/app /app
COPY --from=docker.io/library/busybox:1.36 /bin/sh /bin/sh
COPY --from=0 /x /x
`
	f, err := ScanBytes("Dockerfile", KindDockerfile, []byte(df))
	if err != nil {
		t.Fatal(err)
	}
	compareFound(t, f.Occurrences, []found{
		{2, 14, "golang:1.26-alpine", "golang:1.26-alpine", "stage build", ""},
		{10, 6, "$REGISTRY/o/tools:v2", "ghcr.io/o/tools:v2", "stage tools", ""},
		{3, 11, "gcr.io/distroless/static-debian12:nonroot", "gcr.io/distroless/static-debian12:nonroot", "FROM", ""},
		{15, 13, "docker.io/library/busybox:1.36", "docker.io/library/busybox:1.36", "COPY --from", ""},
	})
	if !f.Occurrences[0].Rewritable || f.Occurrences[1].Rewritable || !f.Occurrences[2].Rewritable {
		t.Errorf("rewritable: %v %v %v; want true false true", f.Occurrences[0].Rewritable,
			f.Occurrences[1].Rewritable, f.Occurrences[2].Rewritable)
	}
}

func TestFindDockerfileMissingArg(t *testing.T) {
	t.Parallel()
	_, err := ScanBytes("Dockerfile", KindDockerfile, []byte("ARG BASE\nFROM ${BASE}\n"))
	var ie *InputError
	if !errors.As(err, &ie) || ie.Line != 2 || !strings.Contains(err.Error(), "ARG BASE has no default value") {
		t.Fatalf("got %v", err)
	}
}

func TestScanReportsBadFilesAndGoesOn(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	write := func(name, content string) {
		t.Helper()
		p := filepath.Join(dir, name)
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(content), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	write("a.yaml", "apiVersion: v1\nkind: Pod\nspec:\n  containers: [{name: a, image: nginx:1.27}]\n")
	write("b.yaml", "kind: Pod\nspec:\n  containers:\n  - image: [unclosed\n")
	write("chart/templates/d.yaml", "kind: Deployment\n{{- if .Values.x }}\nspec: {}\n{{- end }}\n")
	write("Dockerfile", "FROM alpine:3.20\n")
	write(".git/x.yaml", "kind: Pod\nspec: {containers: [{image: skipped}]}\n")
	write("notes.txt", "FROM nothing\n")
	write("Dockerfile.dockerignore", "FROM\n")
	files, errs := Scan([]string{dir, filepath.Join(dir, "missing.yaml")})
	var paths []string
	for _, f := range files {
		rel, _ := filepath.Rel(dir, f.Path)
		paths = append(paths, rel)
	}
	if strings.Join(paths, ",") != "Dockerfile,a.yaml" {
		t.Errorf("scanned %v", paths)
	}
	if len(errs) != 3 {
		t.Fatalf("errors %v, want 3", errs)
	}
	msgs := []string{errs[0].Error(), errs[1].Error(), errs[2].Error()}
	if !strings.Contains(msgs[0], "b.yaml:4:") {
		t.Errorf("error %q does not name b.yaml line 4", msgs[0])
	}
	if !strings.Contains(msgs[1], "templates/d.yaml") || !strings.Contains(msgs[1], "helm template") {
		t.Errorf("error %q does not point at helm template", msgs[1])
	}
	if !strings.Contains(msgs[2], "missing.yaml: no such file or directory") {
		t.Errorf("error %q does not name the missing file", msgs[2])
	}
}

func TestExpandArgs(t *testing.T) {
	t.Parallel()
	args := map[string]arg{"SET": {value: "v", has: true}, "EMPTY": {value: "", has: true}, "NODEFAULT": {}}
	tests := []struct{ in, want, missing string }{
		{"$SET/${SET}", "v/v", ""},
		{"${UNSET:-d}:${EMPTY:-e}:${EMPTY-f}", "d:e:", ""},
		{"${SET:+alt}${UNSET:+x}${EMPTY:+y}${EMPTY+z}", "altz", ""},
		{"a/$NODEFAULT:${UNSET}", "a/:", "NODEFAULT,UNSET"},
	}
	for _, tc := range tests {
		got, missing := expand(tc.in, args)
		if got != tc.want || strings.Join(missing, ",") != tc.missing {
			t.Errorf("expand(%q) = %q missing %v, want %q missing %s", tc.in, got, missing, tc.want, tc.missing)
		}
	}
}
