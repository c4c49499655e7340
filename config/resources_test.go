package config

import (
	"strings"
	"testing"
	"time"
)

func TestResourcesSection(t *testing.T) {
	t.Parallel()
	cfg, err := Parse("f.yaml", []byte("resources: {interval: 30s, gpu: nvidia, backend_metrics: false}\n"))
	if err != nil {
		t.Fatal(err)
	}
	if want := (Resources{Interval: 30 * time.Second, GPU: GPUNVIDIA}); cfg.Resources != want {
		t.Errorf("resources = %+v, want %+v", cfg.Resources, want)
	}
	cfg, err = Parse("f.yaml", []byte("resources: {gpu: off}\n"))
	if err != nil {
		t.Fatal(err)
	}
	if want := (Resources{Interval: 15 * time.Second, GPU: GPUOff, BackendMetrics: true}); cfg.Resources != want {
		t.Errorf("resources = %+v, want %+v (defaults for the keys not set)", cfg.Resources, want)
	}
}

func TestResourcesErrors(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct{ src, want string }{
		{"# two\nresources:\n  interval: 0s\n", "f.yaml:3: resources.interval: must be > 0"},
		{"resources:\n  gpu: intel\n", `f.yaml:2: resources.gpu: must be one of auto, nvidia, amd or off, got "intel"`},
		{"resources:\n  backend_metrics: maybe\n", "f.yaml:2: resources.backend_metrics:"},
		{"resources:\n  gpus: auto\n", "f.yaml:2: resources.gpus: unknown key"},
	} {
		_, err := Parse("f.yaml", []byte(tc.src))
		if err == nil || !strings.HasPrefix(err.Error(), tc.want) {
			t.Errorf("Parse(%q) = %v, want %s...", tc.src, err, tc.want)
		}
	}
}
