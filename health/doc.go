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
// Built-in checks cover database/sql, HTTP, TCP, Qdrant, the inference
// backends (llama.cpp, Ollama, vLLM, OpenAI-compatible) and circuit breaker
// states. What needs a heavy dependency lives in a subpackage, so that
// importing health pulls in no driver, gopsutil or Prometheus client:
// health/postgrescheck and health/redischeck (each registers its Spec kind
// when imported, see RegisterKind), health/hostcheck (the performance
// probe's host sampler) and health/healthprom (the Prometheus collector).
//
// Every output and error text is passed through Redact before it is cached,
// so credentials never reach a probe body, a report, a log line or a
// metric; Options.ShowDetails further keeps the reasons, which can name
// users, hosts and paths, to the requests it admits.
package health
