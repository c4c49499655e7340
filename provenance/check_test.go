package provenance

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"testing"
)

func checkText(t *testing.T, p Policy, kind Kind, name, content string) *Report {
	t.Helper()
	f, err := ScanBytes(name, kind, []byte(content))
	if err != nil {
		t.Fatal(err)
	}
	return Check([]File{f}, p)
}

func rules(r *Report) string {
	var s []string
	for _, f := range r.Findings {
		s = append(s, fmt.Sprintf("%s@%d", f.Rule, f.Line))
	}
	return strings.Join(s, " ")
}

func TestCheckPolicy(t *testing.T) {
	t.Parallel()
	const dig = "@sha256:0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef"
	manifest := `apiVersion: v1
kind: Pod
metadata: {name: p}
spec:
  containers:
  - {name: a, image: busybox}
  - {name: b, image: "busybox:latest", imagePullPolicy: Always}
  - {name: c, image: app:Dev, imagePullPolicy: IfNotPresent}
  - {name: d, image: app:1.2.3}
  - {name: e, image: app:pr-42}
  - {name: f, image: app:dev` + dig + `, imagePullPolicy: IfNotPresent}
  - {name: g, image: App:1}
`
	p := DefaultPolicy()
	if err := p.AddPatterns(`pr-[0-9]+`); err != nil {
		t.Fatal(err)
	}
	r := checkText(t, p, KindYAML, "pod.yaml", manifest)
	want := "implicit-latest@6 mutable-tag@7 mutable-pull-policy@7 mutable-tag@8 mutable-pull-policy@8 mutable-tag@10 invalid-reference@12"
	if got := rules(r); got != want {
		t.Errorf("findings\n got %s\nwant %s", got, want)
	}
	if r.Images != 7 || r.Pinned != 1 || r.ExitCode() != 1 {
		t.Errorf("images %d pinned %d exit %d, want 7, 1 and 1", r.Images, r.Pinned, r.ExitCode())
	}
	for _, f := range r.Findings {
		if f.Rule == RuleMutableTag && f.Line == 10 && !strings.Contains(f.Message, `matches the mutable-tag pattern "pr-[0-9]+"`) {
			t.Errorf("pattern finding says %q", f.Message)
		}
		if f.Rule == RuleMutablePullPolicy && f.Line == 8 && !strings.Contains(f.Message, "IfNotPresent") {
			t.Errorf("pull policy finding says %q", f.Message)
		}
	}

	p.RequireDigest = true
	r = checkText(t, p, KindYAML, "pod.yaml", manifest)
	if n := strings.Count(rules(r), "no-digest@"); n != 5 {
		t.Errorf("require digest: %d no-digest findings, want 5 (%s)", n, rules(r))
	}

	clean := checkText(t, DefaultPolicy(), KindDockerfile, "Dockerfile", "FROM golang:1.26 AS b\nFROM b\n")
	if clean.ExitCode() != 0 || len(clean.Findings) != 0 {
		t.Errorf("clean Dockerfile: %s", rules(clean))
	}
	if err := p.AddPatterns("("); err == nil {
		t.Error("a bad pattern was accepted")
	}
}

func TestReportFormats(t *testing.T) {
	t.Parallel()
	r := checkText(t, DefaultPolicy(), KindYAML, "deploy/pod.yaml",
		"kind: Pod\nmetadata: {name: p}\nspec:\n  containers:\n  - name: a\n    image: nginx:latest\n")
	r.Errors = append(r.Errors, &InputError{Path: "bad.yaml", Line: 3, Err: errors.New("did not find expected key")})

	var text bytes.Buffer
	if err := r.Write(&text, "text"); err != nil {
		t.Fatal(err)
	}
	wantText := "bad.yaml:3: did not find expected key\n" +
		"deploy/pod.yaml:6: image \"nginx:latest\": \"latest\" is a mutable tag; use an immutable tag or pin a digest (Pod/p container a)\n" +
		"1 files, 1 images (0 pinned by digest), 1 findings, 1 unreadable\n"
	if text.String() != wantText {
		t.Errorf("text:\n%s\nwant:\n%s", text.String(), wantText)
	}
	if r.ExitCode() != 2 {
		t.Errorf("exit %d with an unreadable file, want 2", r.ExitCode())
	}

	var js bytes.Buffer
	if err := r.Write(&js, "json"); err != nil {
		t.Fatal(err)
	}
	var parsed struct {
		Findings []Finding
		Errors   []struct {
			File string
			Line int
		}
	}
	if err := json.Unmarshal(js.Bytes(), &parsed); err != nil {
		t.Fatal(err)
	}
	if len(parsed.Findings) != 1 || parsed.Findings[0].Rule != RuleMutableTag || parsed.Findings[0].Line != 6 ||
		parsed.Findings[0].Column != 12 || len(parsed.Errors) != 1 || parsed.Errors[0].File != "bad.yaml" {
		t.Errorf("json: %s", js.String())
	}

	var sarif bytes.Buffer
	if err := r.Write(&sarif, "sarif"); err != nil {
		t.Fatal(err)
	}
	var log struct {
		Version string
		Runs    []struct {
			Tool struct {
				Driver struct{ Rules []struct{ ID string } }
			}
			Invocations []struct {
				ExecutionSuccessful        bool
				ToolExecutionNotifications []struct{ Level string }
			}
			Results []struct {
				RuleID    string
				Level     string
				Locations []struct {
					PhysicalLocation struct {
						ArtifactLocation struct{ URI string }
						Region           struct{ StartLine, StartColumn int }
					}
				}
			}
		}
	}
	if err := json.Unmarshal(sarif.Bytes(), &log); err != nil {
		t.Fatal(err)
	}
	run := log.Runs[0]
	res := run.Results[0]
	loc := res.Locations[0].PhysicalLocation
	if log.Version != "2.1.0" || res.RuleID != "mutable-tag" || res.Level != "warning" ||
		loc.ArtifactLocation.URI != "deploy/pod.yaml" || loc.Region.StartLine != 6 || loc.Region.StartColumn != 12 {
		t.Errorf("sarif: %s", sarif.String())
	}
	if run.Invocations[0].ExecutionSuccessful || len(run.Invocations[0].ToolExecutionNotifications) != 1 {
		t.Errorf("sarif invocation does not report the unreadable file: %s", sarif.String())
	}
	ids := map[string]bool{}
	for _, rule := range run.Tool.Driver.Rules {
		ids[rule.ID] = true
	}
	if !ids["mutable-tag"] || !ids["tag-moved"] {
		t.Errorf("sarif rules: %v", ids)
	}
	if err := r.Write(&sarif, "xml"); err == nil {
		t.Error("unknown format accepted")
	}
}
