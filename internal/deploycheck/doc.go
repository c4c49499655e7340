// Package deploycheck holds the tests that keep the deployment files of
// deploy/ in step with the code: the ConfigMap's flywheel.yaml parses, the
// Deployment probes the health endpoints the server serves, and every metric
// the Prometheus rules and the Grafana dashboard name is one that `flywheel
// serve` exports.
package deploycheck
