package backend

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"sort"
	"strings"
	"sync"
	"time"

	"github.com/flywheel-stack/flywheel/config"
)

// Candidate is a standard local port where an inference server may listen.
type Candidate struct {
	Kind config.BackendKind
	Name string
	URL  string
}

// StandardCandidates are the default ports of llama.cpp (8080), Ollama
// (11434) and vLLM (8000) on loopback.
func StandardCandidates() []Candidate {
	return []Candidate{
		{config.KindLlamaCPP, "llamacpp", "http://127.0.0.1:8080"},
		{config.KindOllama, "ollama", "http://127.0.0.1:11434"},
		{config.KindVLLM, "vllm", "http://127.0.0.1:8000"},
	}
}

// Found is a backend discovery found and the models it serves.
type Found struct {
	Candidate
	Models []string
}

// Discover probes the candidates concurrently, each bounded by timeout, and
// returns those that answered with their models, in candidate order.
func Discover(ctx context.Context, candidates []Candidate, timeout time.Duration) []Found {
	client := &http.Client{Timeout: timeout, Transport: &http.Transport{DisableKeepAlives: true}}
	results := make([]*Found, len(candidates))
	var wg sync.WaitGroup
	for i, c := range candidates {
		wg.Add(1)
		go func() {
			defer wg.Done()
			if models, err := listModels(ctx, client, c); err == nil && len(models) > 0 {
				results[i] = &Found{Candidate: c, Models: models}
			}
		}()
	}
	wg.Wait()
	var out []Found
	for _, r := range results {
		if r != nil {
			out = append(out, *r)
		}
	}
	return out
}

// listModels asks a server for its models: Ollama's /api/tags, or the
// OpenAI-compatible /v1/models of llama.cpp and vLLM.
func listModels(ctx context.Context, client *http.Client, c Candidate) ([]string, error) {
	path := "/v1/models"
	if c.Kind == config.KindOllama {
		path = "/api/tags"
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, strings.TrimSuffix(c.URL, "/")+path, nil)
	if err != nil {
		return nil, err
	}
	resp, err := client.Do(req)
	if err != nil {
		return nil, err
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return nil, fmt.Errorf("%s: %s", path, resp.Status)
	}
	var body struct {
		Data []struct {
			ID string `json:"id"`
		} `json:"data"`
		Models []struct {
			Name string `json:"name"`
		} `json:"models"`
	}
	if err := json.NewDecoder(http.MaxBytesReader(nil, resp.Body, 4<<20)).Decode(&body); err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	var models []string
	for _, d := range body.Data {
		models = append(models, d.ID)
	}
	for _, m := range body.Models {
		models = append(models, m.Name)
	}
	sort.Strings(models)
	return models, nil
}

// ConfigFor builds a configuration with a backend per server found and a
// route per model (the model's own name; when two servers serve the same
// model, the first found answers and the other is its fallback).
func ConfigFor(found []Found) *config.Config {
	cfg := config.Default()
	routes := map[string]int{}
	for _, f := range found {
		var b config.Backend
		b.SetDefaults()
		b.Name, b.Kind, b.URL = f.Name, f.Kind, f.URL
		cfg.Backends = append(cfg.Backends, b)
		for _, m := range f.Models {
			t := config.Target{Backend: f.Name, Model: m}
			if i, ok := routes[m]; ok {
				cfg.Routes[i].Targets = append(cfg.Routes[i].Targets, t)
				continue
			}
			var r config.Route
			r.SetDefaults()
			r.Name, r.Targets = m, []config.Target{t}
			routes[m] = len(cfg.Routes)
			cfg.Routes = append(cfg.Routes, r)
		}
	}
	return cfg
}
