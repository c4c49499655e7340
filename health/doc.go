// Package health runs dependency checks in the background and serves their
// cached results as Kubernetes probes (/livez, /readyz, /startupz), as an IETF
// "Health Check Response Format for HTTP APIs" report (/healthz), and as
// Prometheus metrics.
//
// A Checker holds named checks. Each check runs once when the checker starts
// and then at its own interval; a request only reads the last cached result
// and never waits on a dependency. Liveness reflects only the checker's own
// background loop (a heartbeat), never a dependency, so an outage downstream
// never gets a pod restarted. Readiness fails when a critical check fails and
// warns (still 200) when a non-critical one fails. Startup passes once every
// startup check has passed once, and then stays passed.
//
// Built-in checks cover PostgreSQL, Redis, database/sql, HTTP, TCP, the
// inference backends (llama.cpp, Ollama, vLLM, OpenAI-compatible), circuit
// breaker states and host performance. Every output and error text is passed
// through Redact before it is cached, so credentials never reach a probe body,
// a report, a log line or a metric.
package health
