package resource

import (
	"reflect"
	"testing"

	"github.com/flywheel-stack/flywheel/config"
)

func TestOptionsFromConfig(t *testing.T) {
	t.Parallel()
	cfg, err := config.Parse("f.yaml", []byte(`backends:
  - {name: llama, kind: llamacpp, url: "http://127.0.0.1:8080", api_key_env: LLAMA_KEY}
  - {name: ollama, kind: ollama, url: "http://127.0.0.1:11434"}
  - {name: vllm, kind: vllm, url: "http://127.0.0.1:8000/v1"}
  - {name: remote, kind: openai, url: "https://api.example.com/v1"}
resources: {interval: 30s, gpu: amd}
`))
	if err != nil {
		t.Fatal(err)
	}
	keys := map[string]string{"llama": "sk-llama-key"}
	got := OptionsFromConfig(cfg, func(b string) string { return keys[b] })
	want := Options{Interval: cfg.Resources.Interval, GPU: GPUAMD, Backends: []Backend{
		{Name: "llama", Kind: KindLlamaCPP, URL: "http://127.0.0.1:8080", APIKey: "sk-llama-key"},
		{Name: "vllm", Kind: KindVLLM, URL: "http://127.0.0.1:8000/v1"},
	}}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("options = %+v, want %+v", got, want)
	}
	cfg.Resources.BackendMetrics = false
	if got := OptionsFromConfig(cfg, nil); len(got.Backends) != 0 {
		t.Errorf("backend_metrics false: backends %+v, want none", got.Backends)
	}
	if _, err := New(OptionsFromConfig(config.Default(), nil)); err != nil {
		t.Errorf("defaults: %v", err)
	}
}

// The configuration's GPU modes are the sampler's, and the backend kinds
// the sampler reads are configuration kinds.
func TestConfigNamesMatch(t *testing.T) {
	t.Parallel()
	if got, want := []GPUMode{GPUAuto, GPUNVIDIA, GPUAMD, GPUOff},
		[]GPUMode{config.GPUAuto, config.GPUNVIDIA, config.GPUAMD, config.GPUOff}; !reflect.DeepEqual(got, want) {
		t.Errorf("GPU modes %v, config's %v", got, want)
	}
	if KindLlamaCPP != string(config.KindLlamaCPP) || KindVLLM != string(config.KindVLLM) {
		t.Errorf("kinds %s, %s differ from config's", KindLlamaCPP, KindVLLM)
	}
}
