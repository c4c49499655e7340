package deploycheck

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"net"
	"os"
	"strings"
	"testing"

	"github.com/flywheel-stack/flywheel/config"
	"github.com/flywheel-stack/flywheel/internal/server"
	"go.uber.org/goleak"
	"go.yaml.in/yaml/v3"
)

func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }

const deployDir = "../../deploy/"

// configMapConfig returns the flywheel.yaml held in the ConfigMap.
func configMapConfig(t *testing.T) string {
	t.Helper()
	data, err := os.ReadFile(deployDir + "kubernetes/configmap.yaml")
	if err != nil {
		t.Fatal(err)
	}
	var cm struct {
		Kind string
		Data map[string]string
	}
	if err := yaml.Unmarshal(data, &cm); err != nil {
		t.Fatal(err)
	}
	text, ok := cm.Data["flywheel.yaml"]
	if cm.Kind != "ConfigMap" || !ok {
		t.Fatalf("deploy/kubernetes/configmap.yaml: want a ConfigMap with data.flywheel.yaml, got kind %q keys %v", cm.Kind, cm.Data)
	}
	return text
}

func TestConfigMapParses(t *testing.T) {
	cfg, err := config.Parse("deploy/kubernetes/configmap.yaml (data.flywheel.yaml)", []byte(configMapConfig(t)))
	if err != nil {
		t.Fatal(err)
	}
	// In a pod the server must listen beyond loopback, on the port the
	// Deployment declares.
	if _, port, _ := net.SplitHostPort(cfg.Server.Listen); !strings.HasPrefix(cfg.Server.Listen, "0.0.0.0:") || port != "8700" {
		t.Errorf("server.listen %q: want 0.0.0.0:8700 inside a pod", cfg.Server.Listen)
	}
	if !strings.HasPrefix(cfg.Store.DSN, "/var/lib/flywheel/") {
		t.Errorf("store.dsn %q is not on the Deployment's data volume /var/lib/flywheel", cfg.Store.DSN)
	}
	// The server assembles from it (gateway, routes, health checks), with
	// the Secret's variables unset as the Deployment allows.
	srv, err := server.New(cfg, server.Options{Logger: slog.New(slog.NewTextHandler(io.Discard, nil)),
		Getenv: func(string) string { return "" }})
	if err != nil {
		t.Fatalf("flywheel serve refuses the ConfigMap's configuration: %v", err)
	}
	if err := srv.Close(context.Background()); err != nil {
		t.Error(err)
	}
}

func TestDeploymentProbesAndHardening(t *testing.T) {
	data, err := os.ReadFile(deployDir + "kubernetes/deployment.yaml")
	if err != nil {
		t.Fatal(err)
	}
	var d struct {
		Kind string
		Spec struct {
			Template struct {
				Spec struct {
					SecurityContext struct {
						RunAsNonRoot bool `yaml:"runAsNonRoot"`
						RunAsUser    int  `yaml:"runAsUser"`
					} `yaml:"securityContext"`
					Containers []map[string]any
				}
			}
		}
	}
	if err := yaml.Unmarshal(data, &d); err != nil {
		t.Fatal(err)
	}
	pod := d.Spec.Template.Spec
	if d.Kind != "Deployment" || len(pod.Containers) != 1 {
		t.Fatalf("want a Deployment with one container, got %q with %d", d.Kind, len(pod.Containers))
	}
	if !pod.SecurityContext.RunAsNonRoot || pod.SecurityContext.RunAsUser == 0 {
		t.Errorf("pod securityContext must run as a non-root user: %+v", pod.SecurityContext)
	}
	c := pod.Containers[0]
	probes := map[string]string{"startupProbe": "/startupz", "livenessProbe": "/livez", "readinessProbe": "/readyz"}
	for probe, want := range probes {
		p, _ := c[probe].(map[string]any)
		get, _ := p["httpGet"].(map[string]any)
		if get["path"] != want || get["port"] != "http" {
			t.Errorf("%s: httpGet %v, want path %s on port http", probe, get, want)
		}
	}
	res, _ := c["resources"].(map[string]any)
	for _, k := range []string{"requests", "limits"} {
		m, _ := res[k].(map[string]any)
		if m["cpu"] == nil || m["memory"] == nil {
			t.Errorf("resources.%s must set cpu and memory: %v", k, m)
		}
	}
	sc, _ := c["securityContext"].(map[string]any)
	if sc["readOnlyRootFilesystem"] != true || sc["allowPrivilegeEscalation"] != false {
		t.Errorf("container securityContext must be read-only without privilege escalation: %v", sc)
	}
	if caps, _ := sc["capabilities"].(map[string]any); fmt.Sprint(caps["drop"]) != "[ALL]" {
		t.Errorf("container must drop all capabilities: %v", sc["capabilities"])
	}
}
