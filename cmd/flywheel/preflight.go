package main

import (
	"context"
	"log/slog"
	"time"

	"github.com/flywheel-stack/flywheel/catalog"
	"github.com/flywheel-stack/flywheel/config"
)

// preflightToolTimeout bounds each detection tool at serve start, so that a
// hung driver delays the start by seconds at most.
const preflightToolTimeout = 2 * time.Second

// localModels returns the models that routes send to local backends
// (llama.cpp, Ollama, vLLM): the ones this machine has to hold.
func localModels(cfg *config.Config) []string {
	var out []string
	for _, r := range cfg.Routes {
		for _, t := range r.Targets {
			b, ok := cfg.Backend(t.Backend)
			if !ok || b.Kind == config.KindOpenAI {
				continue
			}
			out = append(out, t.Model)
		}
	}
	return out
}

// preflightModels warns, once at start, about each configured local model
// that the catalog expects not to fit this machine. It never stops the
// start: the estimate may be wrong, and the model may live on another host.
func preflightModels(ctx context.Context, cfg *config.Config, d catalog.Detector, logger *slog.Logger) []catalog.PreflightWarning {
	models := localModels(cfg)
	if len(models) == 0 {
		return nil
	}
	if d.Timeout == 0 {
		d.Timeout = preflightToolTimeout
	}
	h, err := d.Detect(ctx)
	if err != nil {
		return nil
	}
	warnings := catalog.Default().Preflight(models, h, catalog.Settings{})
	for _, w := range warnings {
		logger.Warn("preflight: configured model may not fit this machine", "model", w.Model, "detail", w.Message)
	}
	return warnings
}
