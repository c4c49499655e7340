package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"log/slog"
	"os"
	"os/signal"
	"strings"
	"syscall"
	"time"

	"github.com/flywheel-stack/flywheel/backend"
	"github.com/flywheel-stack/flywheel/catalog"
	"github.com/flywheel-stack/flywheel/config"
	"github.com/flywheel-stack/flywheel/internal/server"
	"github.com/spf13/cobra"
)

// defaultConfigFile is read when -c is not given.
const defaultConfigFile = "flywheel.yaml"

// configFile is the configuration file to read: -c when given, else
// ./flywheel.yaml when present, else "" (none).
func configFile(path string) (string, error) {
	if path != "" {
		return path, nil
	}
	if _, err := os.Stat(defaultConfigFile); err != nil {
		if errors.Is(err, fs.ErrNotExist) {
			return "", nil
		}
		return "", err
	}
	return defaultConfigFile, nil
}

func newServeCommand() *cobra.Command {
	var (
		configPath string
		listen     string
		logLevel   string
		grace      time.Duration
	)
	cmd := &cobra.Command{
		Use:   "serve",
		Short: "Serve the OpenAI-compatible gateway, health probes and metrics",
		Long: `Serve the gateway on one listener: the OpenAI-compatible API (/v1/...), feedback,
Kubernetes probes (/livez /readyz /startupz), the health report (/healthz),
Prometheus metrics (/metrics) and the admin API (/admin/v1/..., needs the
admin token). The SLOs of the slos: section are judged on every answer and
evaluated every minute (GET /admin/v1/slos, docs/slo.md); GPU and backend
load is sampled (resources:).

Without -c, ./flywheel.yaml is read if present; otherwise the standard local
ports are probed (llama.cpp 8080, Ollama 11434, vLLM 8000) and a route is made
for every model found.

SIGTERM or Ctrl-C shuts down gracefully (exit status 0); SIGHUP reloads the
configuration file (docs/gateway.md says what a reload changes).`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			// From the start: SIGHUP's default action ends the process.
			hup := make(chan os.Signal, 1)
			signal.Notify(hup, syscall.SIGHUP)
			defer signal.Stop(hup)
			logger, err := newLogger(cmd.ErrOrStderr(), logLevel)
			if err != nil {
				return err
			}
			load := func(ctx context.Context) (*config.Config, error) {
				cfg, err := loadOrDiscover(ctx, configPath, cmd.OutOrStdout())
				if err != nil {
					return nil, err
				}
				if listen != "" {
					cfg.Server.Listen = listen
				}
				preflightModels(ctx, cfg, catalog.Detector{}, logger)
				return cfg, nil
			}
			cfg, err := load(cmd.Context())
			if err != nil {
				return err
			}
			st, err := openStore(cmd.Context(), cfg, logger)
			if err != nil {
				return err
			}
			defer st.Close()
			srv, err := server.New(cfg, server.Options{Logger: logger, ShutdownGrace: grace, Store: st})
			if err != nil {
				return err
			}
			stop := reloadOnSignal(cmd.Context(), hup, load, srv, logger)
			defer stop()
			fmt.Fprintf(cmd.OutOrStdout(), "flywheel listening on http://%s (OpenAI base URL http://%s/v1)\n", cfg.Server.Listen, cfg.Server.Listen)
			return srv.Serve(cmd.Context())
		},
	}
	cmd.Flags().StringVarP(&configPath, "config", "c", "", "configuration file (default ./flywheel.yaml if present)")
	cmd.Flags().StringVar(&listen, "listen", "", "listen address, overriding server.listen")
	cmd.Flags().StringVar(&logLevel, "log-level", "info", "debug, info, warn or error")
	cmd.Flags().DurationVar(&grace, "shutdown-grace", 30*time.Second, "how long in-flight requests and streams may finish on SIGTERM")
	return cmd
}

// loadOrDiscover reads the configuration file, or probes the standard local
// ports when there is none, and says what it found.
func loadOrDiscover(ctx context.Context, path string, out io.Writer) (*config.Config, error) {
	path, err := configFile(path)
	if err != nil {
		return nil, err
	}
	if path != "" {
		return config.Load(path)
	}
	pctx, cancel := context.WithTimeout(ctx, 3*time.Second)
	defer cancel()
	found := backend.Discover(pctx, backend.StandardCandidates(), time.Second)
	if len(found) == 0 {
		fmt.Fprintln(out, `No flywheel.yaml and no local model server found on the standard ports
(llama.cpp 127.0.0.1:8080, Ollama 127.0.0.1:11434, vLLM 127.0.0.1:8000).
Flywheel starts anyway and is not ready until it has a route. To add a backend,
start one of those servers and restart, or write flywheel.yaml:

  backends:
    - {name: llama, kind: llamacpp, url: http://127.0.0.1:8080}
  routes:
    - name: chat
      targets: [{backend: llama, model: my-model}]

and run: flywheel serve -c flywheel.yaml (docs/configuration.md has every key).`)
		return config.Default(), nil
	}
	for _, f := range found {
		fmt.Fprintf(out, "found %s at %s serving %d model(s): %v\n", f.Kind, f.URL, len(f.Models), f.Models)
	}
	return backend.ConfigFor(found), nil
}

// newLogger makes the text logger for --log-level: debug, info, warn or
// error (any case).
func newLogger(w io.Writer, level string) (*slog.Logger, error) {
	var l slog.Level
	switch strings.ToLower(level) {
	case "debug":
		l = slog.LevelDebug
	case "info":
		l = slog.LevelInfo
	case "warn":
		l = slog.LevelWarn
	case "error":
		l = slog.LevelError
	default:
		return nil, fmt.Errorf("--log-level: unknown level %q; use debug, info, warn or error", level)
	}
	return slog.New(slog.NewTextHandler(w, &slog.HandlerOptions{Level: l})), nil
}
