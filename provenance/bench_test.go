package provenance

import (
	"fmt"
	"strings"
	"testing"
)

// largeStream is Helm-like output: n Deployments of three containers each.
func largeStream(n int) []byte {
	var b strings.Builder
	for i := range n {
		fmt.Fprintf(&b, `---
# Source: chart/templates/app-%d.yaml
apiVersion: apps/v1
kind: Deployment
metadata: {name: app-%d}
spec:
  template:
    spec:
      initContainers:
        - {name: migrate, image: "registry.example.com/migrate:v%d"}
      containers:
        - name: app
          image: registry.example.com/app-%d:dev
          imagePullPolicy: IfNotPresent
        - name: proxy
          image: envoyproxy/envoy:v1.31.0
`, i, i, i, i)
	}
	return []byte(b.String())
}

// BenchmarkScanAndCheck measures finding and checking the images of a
// 1,000-object Helm render (3,000 references).
func BenchmarkScanAndCheck(b *testing.B) {
	data := largeStream(1000)
	b.SetBytes(int64(len(data)))
	b.ReportAllocs()
	for b.Loop() {
		f, err := ScanBytes("render.yaml", KindYAML, data)
		if err != nil {
			b.Fatal(err)
		}
		if r := Check([]File{f}, DefaultPolicy()); r.Images != 3000 {
			b.Fatalf("%d images", r.Images)
		}
	}
}

// BenchmarkRewrite measures rewriting 3,000 image tokens of that render.
func BenchmarkRewrite(b *testing.B) {
	data := largeStream(1000)
	f, err := ScanBytes("render.yaml", KindYAML, data)
	if err != nil {
		b.Fatal(err)
	}
	edits := make([]Edit, len(f.Occurrences))
	for i, o := range f.Occurrences {
		edits[i] = Edit{Line: o.Line, Column: o.Column, Old: o.Text, New: o.Text + "@sha256:" + strings.Repeat("0", 64)}
	}
	b.SetBytes(int64(len(data)))
	b.ReportAllocs()
	for b.Loop() {
		if _, err := Rewrite(data, edits); err != nil {
			b.Fatal(err)
		}
	}
}
