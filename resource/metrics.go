package resource

import (
	"errors"
	"fmt"
	"io"
	"math"

	dto "github.com/prometheus/client_model/go"
	"github.com/prometheus/common/expfmt"
	"github.com/prometheus/common/model"
)

// Backend kinds whose /metrics the sampler reads.
const (
	KindLlamaCPP = "llamacpp"
	KindVLLM     = "vllm"
)

// stat is one of the numbers of BackendStats.
type stat int

const (
	statRunning stat = iota
	statWaiting
	statKVCache
)

// family is a metric family a backend exports and the number it gives.
// Requests are summed over the family's series (vLLM has one per engine
// with data parallelism); the KV cache takes the fullest series, the one
// that saturates first.
type family struct {
	name string
	stat stat
}

// families lists, per kind, the metric families read; for a number that
// two families give, the first one present wins.
var families = map[string][]family{
	KindLlamaCPP: {
		{"llamacpp:requests_processing", statRunning},
		{"llamacpp:requests_deferred", statWaiting},
		{"llamacpp:kv_cache_usage_ratio", statKVCache},
	},
	KindVLLM: {
		{"vllm:num_requests_running", statRunning},
		{"vllm:num_requests_waiting", statWaiting},
		{"vllm:kv_cache_usage_perc", statKVCache},
		{"vllm:gpu_cache_usage_perc", statKVCache},
	},
}

// Scraped reports whether the sampler reads the /metrics of a backend of
// kind: llamacpp and vllm. Ollama and remote OpenAI-compatible APIs export
// none.
func Scraped(kind string) bool {
	_, ok := families[kind]
	return ok
}

// errNoKnownMetrics is returned by parseMetrics for an exposition without
// any family the kind exports: the endpoint is not the backend's.
var errNoKnownMetrics = errors.New("none of the metrics Flywheel reads")

// parseMetrics reads a backend's Prometheus text exposition into stats,
// whose Backend, Kind and Time it keeps.
func parseMetrics(kind string, r io.Reader, stats BackendStats) (BackendStats, error) {
	parser := expfmt.NewTextParser(model.UTF8Validation)
	mfs, err := parser.TextToMetricFamilies(r)
	if err != nil {
		return stats, fmt.Errorf("parse: %w", err)
	}
	found := false
	for _, f := range families[kind] {
		field := stats.field(f.stat)
		mf, ok := mfs[f.name]
		if !ok || len(mf.GetMetric()) == 0 || !math.IsNaN(*field) {
			continue
		}
		found = true
		*field = combine(f.stat, mf.GetMetric())
	}
	if !found {
		return stats, errNoKnownMetrics
	}
	return stats, nil
}

// field returns the number s of stats.
func (b *BackendStats) field(s stat) *float64 {
	switch s {
	case statRunning:
		return &b.Running
	case statWaiting:
		return &b.Waiting
	}
	return &b.KVCache
}

// combine sums the series of a request count and takes the largest of a
// ratio.
func combine(s stat, ms []*dto.Metric) float64 {
	out := 0.0
	for i, m := range ms {
		v := value(m)
		switch {
		case s != statKVCache:
			out += v
		case i == 0 || v > out:
			out = v
		}
	}
	return out
}

// value is a sample's value whatever its type: llama.cpp declares gauges,
// some exporters leave them untyped.
func value(m *dto.Metric) float64 {
	switch {
	case m.Gauge != nil:
		return m.Gauge.GetValue()
	case m.Untyped != nil:
		return m.Untyped.GetValue()
	case m.Counter != nil:
		return m.Counter.GetValue()
	}
	return math.NaN()
}
