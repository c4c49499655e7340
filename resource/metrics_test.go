package resource

import (
	"errors"
	"math"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

var t0 = time.Date(2025, 6, 7, 8, 9, 0, 0, time.UTC)

// sameFloat is == with NaN equal to NaN.
func sameFloat(a, b float64) bool { return a == b || math.IsNaN(a) && math.IsNaN(b) }

// sameStats compares two readings, NaN equal to NaN.
func sameStats(a, b BackendStats) bool {
	return a.Backend == b.Backend && a.Kind == b.Kind && a.Time.Equal(b.Time) &&
		sameFloat(a.Running, b.Running) && sameFloat(a.Waiting, b.Waiting) && sameFloat(a.KVCache, b.KVCache)
}

func fixture(t *testing.T, name string) string {
	t.Helper()
	data, err := os.ReadFile(filepath.Join("testdata", "metrics", name))
	if err != nil {
		t.Fatal(err)
	}
	return string(data)
}

// TestParseMetrics reads recorded /metrics of llama.cpp and vLLM releases.
func TestParseMetrics(t *testing.T) {
	t.Parallel()
	nan := math.NaN()
	tests := []struct {
		name, kind, file string
		running, waiting float64
		kv               float64
	}{
		// Before mid 2025, llama.cpp exported its KV-cache usage.
		{"llama.cpp b4000", KindLlamaCPP, "llamacpp-b4000.txt", 4, 3, 0.6875},
		// Current builds no longer do: the KV cache is unknown, not 0.
		{"llama.cpp current", KindLlamaCPP, "llamacpp-current.txt", 2, 0, nan},
		// Two engines (data parallel): requests add up, the fuller KV
		// cache counts.
		{"vLLM V1, two engines", KindVLLM, "vllm-v1-dp2.txt", 24 + 22, 5 + 2, 0.9137},
		{"vLLM V0", KindVLLM, "vllm-v0.txt", 7, 0, 0.0421},
		// vLLM 0.10 exports both names for a while; the new one wins.
		{"vLLM both KV names", KindVLLM, "", 1, 0, 0.5},
	}
	both := "# TYPE vllm:gpu_cache_usage_perc gauge\nvllm:gpu_cache_usage_perc{model_name=\"m\"} 0.25\n" +
		"# TYPE vllm:kv_cache_usage_perc gauge\nvllm:kv_cache_usage_perc{model_name=\"m\"} 0.5\n" +
		"vllm:num_requests_running{model_name=\"m\"} 1\nvllm:num_requests_waiting{model_name=\"m\"} 0\n"
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			text := both
			if tt.file != "" {
				text = fixture(t, tt.file)
			}
			b := Backend{Name: "b", Kind: tt.kind}
			got, err := parseMetrics(tt.kind, strings.NewReader(text), unknownStats(b, t0))
			if err != nil {
				t.Fatal(err)
			}
			want := BackendStats{Backend: "b", Kind: tt.kind, Time: t0, Running: tt.running, Waiting: tt.waiting, KVCache: tt.kv}
			if !sameStats(got, want) {
				t.Errorf("got %+v, want %+v", got, want)
			}
		})
	}
}

// An exposition without the kind's families is not that backend's: the
// source turns off rather than exporting nothing forever.
func TestParseMetricsNotTheBackend(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct{ kind, file string }{
		{KindVLLM, "go-process.txt"},
		{KindLlamaCPP, "vllm-v1-dp2.txt"},
		{KindVLLM, "llamacpp-current.txt"},
	} {
		_, err := parseMetrics(tc.kind, strings.NewReader(fixture(t, tc.file)), unknownStats(Backend{Kind: tc.kind}, t0))
		if !errors.Is(err, errNoKnownMetrics) {
			t.Errorf("%s as %s: err = %v, want errNoKnownMetrics", tc.file, tc.kind, err)
		}
	}
	_, err := parseMetrics(KindVLLM, strings.NewReader("<html>not metrics</html>\n"), unknownStats(Backend{}, t0))
	if err == nil || errors.Is(err, errNoKnownMetrics) || !strings.HasPrefix(err.Error(), "parse:") {
		t.Errorf("HTML: err = %v, want a parse error", err)
	}
}
