package slo_test

import (
	"context"
	"log/slog"

	"github.com/flywheel-stack/flywheel/config"
	"github.com/flywheel-stack/flywheel/slo"
	"github.com/flywheel-stack/flywheel/store"
	"github.com/flywheel-stack/flywheel/store/open"
	"github.com/flywheel-stack/flywheel/telemetry"
	"github.com/prometheus/client_golang/prometheus"
)

// ExampleService is how a gateway wires the SLOs of its configuration:
// the recorder among its telemetry sinks, the metrics in its registry, and
// Run until shutdown.
func ExampleService() {
	ctx := context.Background()
	cfg, err := config.Load("flywheel.yaml")
	if err != nil {
		panic(err)
	}
	st, err := open.Store(ctx, cfg.Store, nil)
	if err != nil {
		panic(err)
	}
	defer st.Close()
	set, err := slo.Compile(cfg.SLOs)
	if err != nil {
		panic(err)
	}
	opts := slo.ServiceOptions{Logger: slog.Default()}
	if ss, ok := st.(store.SLOStore); ok {
		opts.Store = slo.AdaptStore(ss)
	}
	if opts.Notifier, err = slo.NotifierFromConfig(set, cfg.Alerts.Webhook, nil, slo.NotifierOptions{}); err != nil {
		panic(err)
	}
	svc := slo.NewService(set, opts)
	var sinks []telemetry.Sink
	sinks = append(sinks, svc.Recorder())
	prometheus.MustRegister(svc.Collectors()...)
	_ = sinks
	go func() { _ = svc.Run(ctx) }()
}
