package slo

import (
	"bytes"
	"os"
	"reflect"
	"strings"
	"testing"

	"github.com/flywheel-stack/flywheel/config"
	"go.yaml.in/yaml/v3"
)

// sampleRules builds the rules of testdata/rules-flywheel.yaml.
func sampleRules(t *testing.T) (RuleFile, []byte) {
	t.Helper()
	cfg, err := config.Load("testdata/rules-flywheel.yaml")
	if err != nil {
		t.Fatal(err)
	}
	set, err := Compile(cfg.SLOs)
	if err != nil {
		t.Fatal(err)
	}
	f := Rules(set, RulesOptions{})
	out, err := f.YAML()
	if err != nil {
		t.Fatal(err)
	}
	return f, out
}

// groupsOf returns the groups whose name ends with the SLO's id.
func groupsOf(f RuleFile, id string) []RuleGroup {
	var out []RuleGroup
	for _, g := range f.Groups {
		if strings.HasSuffix(g.Name, "-"+id) {
			out = append(out, g)
		}
	}
	return out
}

// normalize trims each expression and drops the label Sloth fills with its
// own version.
func normalize(gs []RuleGroup) []RuleGroup {
	out := make([]RuleGroup, len(gs))
	for i, g := range gs {
		out[i] = RuleGroup{Name: g.Name}
		for _, r := range g.Rules {
			r.Expr = strings.TrimSpace(r.Expr)
			labels := map[string]string{}
			for k, v := range r.Labels {
				if k != "sloth_version" {
					labels[k] = v
				}
			}
			r.Labels = labels
			out[i].Rules = append(out[i].Rules, r)
		}
	}
	return out
}

// TestRulesMatchSloth compares the generated rules of each SLO with what
// sloth generate v0.16.0 wrote for the equivalent Sloth spec
// (testdata/sloth/spec-*.yaml): the same groups, rule names, windows,
// labels and expressions, for a 30d, a 28d and a 7d period. The SLO with
// min_events has the same rules but for one line per alert row.
func TestRulesMatchSloth(t *testing.T) {
	t.Parallel()
	ours, _ := sampleRules(t)
	for _, c := range []struct{ period, slo string }{
		{"30d", "coder-availability"}, {"28d", "coder-ttft"}, {"7d", "llama-fast-burn"},
	} {
		data, err := os.ReadFile("testdata/sloth/sloth-" + c.period + ".yaml")
		if err != nil {
			t.Fatal(err)
		}
		var sloth RuleFile
		if err := yaml.Unmarshal(data, &sloth); err != nil {
			t.Fatal(err)
		}
		got, want := normalize(groupsOf(ours, "flywheel-"+c.slo)), normalize(sloth.Groups)
		if !reflect.DeepEqual(got, want) {
			t.Errorf("%s (%s):\n got %+v\nwant %+v", c.slo, c.period, got, want)
		}
		if c.period != "30d" {
			continue
		}
		// coder-guarded is coder-availability with min_events 10.
		renamed := bytes.ReplaceAll(bytes.ReplaceAll(data, []byte("coder-availability"), []byte("coder-guarded")),
			[]byte("CoderAvailability"), []byte("CoderGuarded"))
		var guardedSloth RuleFile
		if err := yaml.Unmarshal(renamed, &guardedSloth); err != nil {
			t.Fatal(err)
		}
		guarded := normalize(groupsOf(ours, "flywheel-coder-guarded"))
		checks := 0
		for _, g := range guarded {
			for i, r := range g.Rules {
				if r.Alert == "" {
					continue
				}
				var kept []string
				for _, line := range strings.Split(r.Expr, "\n") {
					if strings.HasSuffix(line, "# min_events") {
						checks++
						if !strings.Contains(line, "and on() sum(increase(flywheel_slo_events_total{slo=\"coder-guarded\"}[") || !strings.Contains(line, ">= 10") {
							t.Errorf("min_events line %q", line)
						}
						continue
					}
					kept = append(kept, line)
				}
				g.Rules[i].Expr = strings.Join(kept, "\n")
			}
		}
		if checks != 4 {
			t.Errorf("coder-guarded has %d min_events lines, want 4 (one per alert row)", checks)
		}
		if want := normalize(guardedSloth.Groups); !reflect.DeepEqual(guarded, want) {
			t.Errorf("coder-guarded without its min_events lines:\n got %+v\nwant %+v", guarded, want)
		}
	}
}

// TestRulesFileIsCurrent checks that testdata/rules-flywheel.rules.yml, the
// file the promtool test runs on, is what `flywheel slo rules` prints for
// testdata/rules-flywheel.yaml.
func TestRulesFileIsCurrent(t *testing.T) {
	t.Parallel()
	_, out := sampleRules(t)
	want, err := os.ReadFile("testdata/rules-flywheel.rules.yml")
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(out, want) {
		t.Errorf("testdata/rules-flywheel.rules.yml is stale; regenerate it with\n  go run ./cmd/flywheel slo rules -c slo/testdata/rules-flywheel.yaml > slo/testdata/rules-flywheel.rules.yml")
	}
}

func TestAlertName(t *testing.T) {
	t.Parallel()
	for in, want := range map[string]string{"coder-ttft": "FlywheelSLOCoderTtft", "llama.fast_burn": "FlywheelSLOLlamaFastBurn", "9x": "FlywheelSLO9x"} {
		if got := AlertName("FlywheelSLO", in); got != want {
			t.Errorf("AlertName(%q) = %q, want %q", in, got, want)
		}
	}
	set := mustCompile(t, config.SLO{Name: "a-b", Kind: config.SLOAvailability, Objective: 99},
		config.SLO{Name: "a_b", Kind: config.SLOAvailability, Objective: 99})
	f := Rules(set, RulesOptions{})
	if a, b := f.Groups[2].Rules[0].Alert, f.Groups[5].Rules[0].Alert; a != "FlywheelSLOAB" || b != "FlywheelSLOAB2" {
		t.Errorf("alert names %q and %q, want FlywheelSLOAB and FlywheelSLOAB2", a, b)
	}
}
