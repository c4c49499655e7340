package config

import (
	"errors"
	"strings"
	"testing"
)

// backend is a valid backend list item for error cases to extend; it takes
// lines 2-4 of a file that starts with "backends:".
const backend = `backends:
  - name: llama
    kind: llamacpp
    url: http://127.0.0.1:8080
`

// TestParseErrors checks the exact text of every kind of error: the file,
// the line, the key path and the message.
func TestParseErrors(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name string
		yaml string
		want string
	}{
		// Syntax and document shape.
		{"syntax error", "server:\n  listen: [a\n", "f.yaml:2: invalid YAML: did not find expected ',' or ']'"},
		// The offending line, not the line where its block starts.
		{"syntax error in a block", "server: {}\nbackends:\n  - name: a\n  kind: vllm\n",
			"f.yaml:4: invalid YAML: did not find expected '-' indicator (in the block that starts at line 3; check this line's indentation)"},
		{"mis-indented key under backends", "backends:\n  - name: a\n    kind: vllm\n   url: http://a\nroutes: []\n",
			"f.yaml:4: invalid YAML: did not find expected '-' indicator (in the block that starts at line 2; check this line's indentation)"},
		{"sequence item in a mapping", "server: {}\n- item\n", "f.yaml:2: invalid YAML: did not find expected key"},
		{"scanner error", "server: {}\nstore: driver: sqlite\n", "f.yaml:2: invalid YAML: mapping values are not allowed in this context"},
		{"unknown anchor", "server: *nope\n", "f.yaml: invalid YAML: unknown anchor 'nope' referenced"},
		{"tab indentation", "server:\n\tlisten: x\n", "f.yaml:2: invalid YAML: found character that cannot start any token"},
		{"two documents", "server: {}\n---\nstore: {}\n", "f.yaml:2: the file must hold one YAML document, found another"},
		{"top level not a mapping", "- a\n- b\n", "f.yaml:1: the top level must be a mapping of sections (server:, backends:, ...), got a sequence"},
		{"top level scalar", "hello\n", `f.yaml:1: the top level must be a mapping of sections (server:, backends:, ...), got string "hello"`},

		// Keys.
		{"unknown top-level section", "server: {}\nexperiments: []\n",
			"f.yaml:2: experiments: unknown key (known keys: server, store, backends, routes, dependencies, health, feedback, capture, slos, resources, alerts)"},
		{"unknown key at depth", backend + "    breaker:\n      min_calls: 5\n      failure_rat: 0.5\n",
			`f.yaml:7: backends[0].breaker.failure_rat: unknown key (did you mean "failure_rate"?)`},
		{"unknown key lists known keys", "server:\n  port: 8700\n",
			"f.yaml:2: server.port: unknown key (known keys: listen, admin_token_env, api_keys_env, max_body_bytes, body_timeout)"},
		{"unknown key with dashes", "server:\n  admin-token-env: X\n",
			`f.yaml:2: server.admin-token-env: unknown key (did you mean "admin_token_env"?)`},
		{"x- key below the top level", backend + "    x-note: hi\n",
			"f.yaml:5: backends[0].x-note: unknown key (known keys: name, kind, url, api_key_env, timeouts, breaker, retry, max_concurrent, max_event_bytes, deep_check)"},
		{"duplicate key", "server:\n  listen: 127.0.0.1:1\n  listen: 127.0.0.1:2\n",
			"f.yaml:3: server.listen: duplicate key (first at line 2)"},
		{"duplicate section", "server: {}\nstore: {}\nserver: {}\n", "f.yaml:3: server: duplicate key (first at line 1)"},
		{"non-string key", "server:\n  ? [a]\n  : b\n", "f.yaml:2: server: keys must be plain strings, got a sequence"},
		{"merge of a scalar", "server:\n  <<: 3\n", "f.yaml:2: server: << must merge a mapping or a sequence of mappings, got integer 3"},

		// Types.
		{"string got sequence", "server:\n  listen: [a, b]\n", "f.yaml:2: server.listen: expected a string, got a sequence"},
		{"string got mapping", "server:\n  listen: {a: b}\n", "f.yaml:2: server.listen: expected a string, got a mapping"},
		{"integer got string", backend + "    breaker: {min_calls: ten}\n", `f.yaml:5: backends[0].breaker.min_calls: expected an integer, got string "ten"`},
		{"integer got float", backend + "    breaker: {min_calls: 2.5}\n", "f.yaml:5: backends[0].breaker.min_calls: expected an integer, got number 2.5"},
		{"integer out of range", backend + "routes:\n  - name: r\n    targets: [{backend: llama, model: m}]\n    degraded: {status: 99999999999999999999}\n",
			"f.yaml:8: routes[0].degraded.status: expected an integer, got number 99999999999999999999"},
		{"boolean got yes", "capture:\n  prompts: yes\n", `f.yaml:2: capture.prompts: expected a boolean (true or false), got string "yes"`},
		{"number got string", "capture:\n  sample_rate: half\n", `f.yaml:2: capture.sample_rate: expected a number, got string "half"`},
		{"number not finite", "capture:\n  sample_rate: .nan\n", "f.yaml:2: capture.sample_rate: expected a finite number, got number .nan"},
		{"mapping got scalar", "server: 8700\n", "f.yaml:1: server: expected a mapping, got integer 8700"},
		{"sequence got mapping", "backends:\n  name: llama\n", "f.yaml:1: backends: expected a sequence, got a mapping"},
		{"list item got scalar", "backends:\n  - llama\n", `f.yaml:2: backends[0]: expected a mapping, got string "llama"`},

		// Durations and sizes.
		{"duration without unit", "health:\n  interval: 10\n",
			"f.yaml:2: health.interval: duration 10 has no unit; add one, like 10s or 10ms (units: ns, us, ms, s, m, h)"},
		{"quoted duration without unit", "health:\n  interval: \"10\"\n",
			"f.yaml:2: health.interval: duration 10 has no unit; add one, like 10s or 10ms (units: ns, us, ms, s, m, h)"},
		{"invalid duration", "health:\n  interval: 10 seconds\n",
			`f.yaml:2: health.interval: invalid duration "10 seconds"; write it like "30s", "1m30s" or "250ms" (units: ns, us, ms, s, m, h)`},
		{"duration got sequence", "health:\n  interval: [10s]\n", `f.yaml:2: health.interval: expected a duration like "30s", got a sequence`},
		{"bad size unit", "server:\n  max_body_bytes: 4XB\n",
			`f.yaml:2: server.max_body_bytes: invalid size "4XB": unknown unit "XB" (want B, KB, MB, GB, TB, KiB, MiB, GiB or TiB)`},
		{"negative size", "server:\n  max_body_bytes: -1\n", `f.yaml:2: server.max_body_bytes: invalid size "-1": must not be negative`},
		{"fractional bytes", "server:\n  max_body_bytes: 1.5B\n", `f.yaml:2: server.max_body_bytes: invalid size "1.5B": not a whole number of bytes`},
		{"zero queue bytes", "store:\n  queue_bytes: 0\n", `f.yaml:2: store.queue_bytes: must be > 0, got 0B`},
		{"size got boolean", "server:\n  max_body_bytes: true\n", "f.yaml:2: server.max_body_bytes: expected a size like 4MiB, got boolean true"},
		{"zero size", "server:\n  max_body_bytes: 0\n", "f.yaml:2: server.max_body_bytes: must be > 0, got 0B"},
		{"zero body timeout", "server:\n  body_timeout: 0s\n", "f.yaml:2: server.body_timeout: must be > 0, got 0s"},

		// Server and store.
		{"listen without port", "server:\n  listen: localhost\n", `f.yaml:2: server.listen: must be host:port, like 127.0.0.1:8700, got "localhost"`},
		{"listen bad port", "server:\n  listen: \":http\"\n", `f.yaml:2: server.listen: port must be a number in [1,65535], got "http"`},
		{"secret in an env key", "server:\n  admin_token_env: s3cr3t-t0ken\n",
			"f.yaml:2: server.admin_token_env: must be the name of an environment variable (letters, digits and _, like MY_API_KEY), not the secret itself"},
		{"store driver", "store:\n  driver: mysql\n", `f.yaml:2: store.driver: must be one of sqlite or postgres, got "mysql"`},
		{"postgres without dsn", "store:\n  driver: postgres\n", "f.yaml:1: store.dsn: required (or dsn_env) for driver postgres"},
		{"postgres with a file dsn", "store:\n  driver: postgres\n  dsn: ./data.db\n",
			"f.yaml:3: store.dsn: must be a PostgreSQL URL (postgres://...) or key=value string for driver postgres"},
		{"store dsn and dsn_env", "store:\n  dsn: x.db\n  dsn_env: DB\n", "f.yaml:3: store.dsn_env: set dsn or dsn_env, not both"},
		{"negative retention", "store:\n  retention: -1h\n", "f.yaml:2: store.retention: must be >= 0, got -1h0m0s"},

		// Backends.
		{"backend required keys", "backends:\n  - api_key_env: KEY\n",
			"f.yaml:2: backends[0].name: required\nf.yaml:2: backends[0].kind: required (one of llamacpp, ollama, vllm or openai)\nf.yaml:2: backends[0].url: required"},
		{"required key left empty", "backends:\n  - name: a\n    kind: vllm\n    url:\n",
			"f.yaml:4: backends[0].url: required"},
		{"backend kind", "backends:\n  - name: a\n    kind: tgi\n    url: http://a\n", `f.yaml:3: backends[0].kind: must be one of llamacpp, ollama, vllm or openai, got "tgi"`},
		{"backend url scheme", "backends:\n  - name: a\n    kind: vllm\n    url: 127.0.0.1:8000\n", `f.yaml:4: backends[0].url: must be an http:// or https:// URL, got "127.0.0.1:8000" (add the scheme, like http://127.0.0.1:8000)`},
		{"backend url hides password", "backends:\n  - name: a\n    kind: vllm\n    url: ftp://u:pw@h\n", `f.yaml:4: backends[0].url: must be an http:// or https:// URL with a host, got "ftp://u:xxxxx@h"`},
		{"backend name characters", "backends:\n  - name: my llama\n    kind: vllm\n    url: http://a\n",
			`f.yaml:2: backends[0].name: must start with a letter or digit and hold only letters, digits, '_', '.' and '-', got "my llama"`},
		{"duplicate backend names", backend + "  - name: llama\n    kind: ollama\n    url: http://127.0.0.1:11434\n",
			`f.yaml:5: backends[1].name: duplicate name "llama" (first at line 2)`},
		{"timeout zero", backend + "    timeouts: {connect: 0s}\n", "f.yaml:5: backends[0].timeouts.connect: must be > 0, got 0s"},
		{"first token above total", backend + "    timeouts:\n      first_token: 10m\n      total: 5m\n",
			"f.yaml:6: backends[0].timeouts.first_token: must be <= total (5m0s), got 10m0s"},
		{"idle above total", backend + "    timeouts: {idle: 1m, total: 45s}\n",
			"f.yaml:5: backends[0].timeouts.idle: must be <= total (45s), got 1m0s"},

		// Breaker.
		{"failure rate out of range", backend + "    breaker:\n      failure_rate: 1.5\n",
			"f.yaml:6: backends[0].breaker.failure_rate: must be in (0,1], got 1.5"},
		{"failure rate zero", backend + "    breaker: {failure_rate: 0}\n", "f.yaml:5: backends[0].breaker.failure_rate: must be in (0,1], got 0"},
		{"window and window_calls", backend + "    breaker:\n      window: 30s\n      window_calls: 50\n",
			"f.yaml:7: backends[0].breaker.window_calls: cannot be combined with window (line 6): window sets a time window, window_calls a count window"},
		{"slow call rate without slow call", backend + "    breaker: {slow_call_rate: 0.5, slow_call: 0s}\n",
			"f.yaml:5: backends[0].breaker.slow_call: must be > 0 when slow_call_rate is set, got 0s"},
		{"max open below open", backend + "    breaker: {open_for: 1m, max_open_for: 30s}\n",
			"f.yaml:5: backends[0].breaker.max_open_for: must be >= open_for (1m0s), got 30s"},
		{"window buckets", backend + "    breaker:\n      window_buckets: 0\n", "f.yaml:6: backends[0].breaker.window_buckets: must be in [1,1000], got 0"},
		{"window buckets on a count window", backend + "    breaker:\n      window_calls: 100\n      window_buckets: 10\n",
			"f.yaml:7: backends[0].breaker.window_buckets: applies only to a time window (window), not to window_calls"},
		{"min calls above window calls", backend + "    breaker:\n      window_calls: 5\n      min_calls: 20\n",
			"f.yaml:7: backends[0].breaker.min_calls: must be <= window_calls (5), or the rate rules can never trip; got 20"},
		{"min calls zero", backend + "    breaker:\n      min_calls: 0\n", "f.yaml:6: backends[0].breaker.min_calls: must be >= 1, got 0"},
		{"window calls negative", backend + "    breaker:\n      window_calls: -5\n", "f.yaml:6: backends[0].breaker.window_calls: must be >= 1, got -5"},
		{"window zero", backend + "    breaker:\n      window: 0s\n", "f.yaml:6: backends[0].breaker.window: must be > 0, got 0s"},
		{"open backoff", backend + "    breaker:\n      open_backoff: 0.5\n", "f.yaml:6: backends[0].breaker.open_backoff: must be >= 1, got 0.5"},
		{"half open calls", backend + "    breaker:\n      half_open_calls: 0\n", "f.yaml:6: backends[0].breaker.half_open_calls: must be >= 1, got 0"},
		{"consecutive failures negative", backend + "    breaker:\n      consecutive_failures: -3\n",
			"f.yaml:6: backends[0].breaker.consecutive_failures: must be >= 1, got -3"},

		// Retry.
		{"unknown preset", backend + "    retry: {preset: aggressive}\n",
			`f.yaml:5: backends[0].retry.preset: unknown preset "aggressive" (want database, external_api, internal_service, vector_db or llm_inference)`},
		{"unknown jitter", backend + "    retry:\n      jitter: random\n",
			`f.yaml:6: backends[0].retry.jitter: unknown jitter "random" (want full, equal, decorrelated or none)`},
		{"max attempts zero", backend + "    retry:\n      max_attempts: 0\n", "f.yaml:6: backends[0].retry.max_attempts: must be >= 1, got 0"},
		{"multiplier below one", backend + "    retry:\n      multiplier: 0.5\n", "f.yaml:6: backends[0].retry.multiplier: must be >= 1, got 0.5"},
		{"base delay zero", backend + "    retry:\n      base_delay: 0s\n", "f.yaml:6: backends[0].retry.base_delay: must be > 0, got 0s"},
		{"max delay below base", backend + "    retry: {base_delay: 2s, max_delay: 1s}\n",
			"f.yaml:5: backends[0].retry.max_delay: must be >= base_delay (2s), got 1s"},

		// Routes.
		{"route to unknown backend", backend + "routes:\n  - name: coder\n    targets:\n      - {backend: llama, model: a}\n      - {backend: remote, model: b}\n",
			`f.yaml:9: routes[0].targets[1].backend: backend "remote" is not defined (defined: "llama")`},
		{"route without targets", backend + "routes:\n  - name: coder\n", "f.yaml:6: routes[0].targets: must list at least one {backend, model}"},
		{"route empty targets", backend + "routes:\n  - name: coder\n    targets: []\n", "f.yaml:7: routes[0].targets: must list at least one {backend, model}"},
		{"target without model", backend + "routes:\n  - name: coder\n    targets:\n      - backend: llama\n", "f.yaml:8: routes[0].targets[0].model: required"},
		{"repeated target", backend + "routes:\n  - name: coder\n    targets:\n      - {backend: llama, model: a}\n      - {backend: llama, model: a}\n",
			`f.yaml:9: routes[0].targets[1]: repeats line 8 (backend "llama", model "a")`},
		{"duplicate route names", backend + "routes:\n  - {name: coder, targets: [{backend: llama, model: a}]}\n  - {name: coder, targets: [{backend: llama, model: b}]}\n",
			`f.yaml:7: routes[1].name: duplicate name "coder" (first at line 6)`},
		{"degraded status", backend + "routes:\n  - name: coder\n    targets: [{backend: llama, model: a}]\n    degraded: {status: 200}\n",
			"f.yaml:8: routes[0].degraded.status: must be a 4xx or 5xx HTTP status, got 200"},
		{"route name with space", backend + "routes:\n  - name: my model\n    targets: [{backend: llama, model: a}]\n",
			`f.yaml:6: routes[0].name: must not contain spaces, got "my model"`},

		// Dependencies.
		{"postgres without dsn", "dependencies:\n  - {name: pg, kind: postgres}\n", "f.yaml:2: dependencies[0].dsn: required (or dsn_env) for kind postgres"},
		{"dsn and dsn_env", "dependencies:\n  - {name: pg, kind: sql, dsn: x, dsn_env: PG}\n", "f.yaml:2: dependencies[0].dsn_env: set dsn or dsn_env, not both"},
		{"redis without addr", "dependencies:\n  - name: cache\n    kind: redis\n", "f.yaml:2: dependencies[0].addr: required"},
		{"tcp bad addr", "dependencies:\n  - name: db\n    kind: tcp\n    addr: db.internal\n", `f.yaml:4: dependencies[0].addr: must be host:port, like 127.0.0.1:8700, got "db.internal"`},
		{"http without url", "dependencies:\n  - name: web\n    kind: http\n", "f.yaml:2: dependencies[0].url: required"},
		{"key of another kind", "dependencies:\n  - name: cache\n    kind: redis\n    addr: 127.0.0.1:6379\n    url: http://x\n",
			"f.yaml:5: dependencies[0].url: not used by kind redis"},
		{"expected status on tcp", "dependencies:\n  - {name: db, kind: tcp, addr: 'h:1', expected_status: 200}\n",
			"f.yaml:2: dependencies[0].expected_status: not used by kind tcp"},
		{"bad expected status", "dependencies:\n  - {name: web, kind: http, url: 'http://x', expected_status: 200-700}\n",
			`f.yaml:2: dependencies[0].expected_status: invalid status "200-700": want codes in [100,599] like 200, ranges like 200-399 or classes like 2xx, got "700"`},
		{"dependency kind", "dependencies:\n  - {name: mq, kind: kafka}\n", `f.yaml:2: dependencies[0].kind: must be one of postgres, redis, http, tcp, sql or qdrant, got "kafka"`},
		{"negative weight", "dependencies:\n  - {name: db, kind: tcp, addr: 'h:1', weight: -1}\n", "f.yaml:2: dependencies[0].weight: must be >= 0, got -1"},
		{"timeout set above interval", "dependencies:\n  - {name: a, kind: http, url: 'http://a', timeout: 10s, interval: 5s}\n",
			"f.yaml:2: dependencies[0].timeout: must be <= interval (5s), got 10s"},
		{"failure threshold", "dependencies:\n  - {name: db, kind: tcp, addr: 'h:1', failure_threshold: 0}\n",
			"f.yaml:2: dependencies[0].failure_threshold: must be >= 1, got 0"},
		{"password_env on http", "dependencies:\n  - {name: web, kind: http, url: 'http://x', password_env: WEB_PW}\n",
			"f.yaml:2: dependencies[0].password_env: not used by kind http"},
		{"username on tcp", "dependencies:\n  - {name: db, kind: tcp, addr: 'h:1', username: app}\n",
			"f.yaml:2: dependencies[0].username: not used by kind tcp"},
		{"password in password_env", "dependencies:\n  - name: cache\n    kind: redis\n    addr: 127.0.0.1:6379\n    password_env: hunter2!\n",
			"f.yaml:5: dependencies[0].password_env: must be the name of an environment variable (letters, digits and _, like MY_API_KEY), not the secret itself"},
		{"fail after zero", "dependencies:\n  - {name: db, kind: tcp, addr: 'h:1', fail_after: 0s}\n",
			"f.yaml:2: dependencies[0].fail_after: must be > 0, got 0s"},
		{"fail after negative", "dependencies:\n  - name: db\n    kind: tcp\n    addr: h:1\n    fail_after: -30s\n",
			"f.yaml:5: dependencies[0].fail_after: must be > 0, got -30s"},
		{"deep check timeout above interval", backend + "    deep_check:\n      enabled: true\n      interval: 10s\n      timeout: 20s\n",
			"f.yaml:8: backends[0].deep_check.timeout: must be <= interval (10s), got 20s"},
		{"deep check enabled not a boolean", backend + "    deep_check: {enabled: yes}\n",
			`f.yaml:5: backends[0].deep_check.enabled: expected a boolean (true or false), got string "yes"`},
		{"deep check unknown key", backend + "    deep_check: {enable: true}\n",
			`f.yaml:5: backends[0].deep_check.enable: unknown key (did you mean "enabled"?)`},
		{"duplicate dependency names", "dependencies:\n  - {name: db, kind: tcp, addr: 'h:1'}\n  - {name: db, kind: tcp, addr: 'h:2'}\n",
			`f.yaml:3: dependencies[1].name: duplicate name "db" (first at line 2)`},
		{"critical not a boolean", "dependencies:\n  - {name: db, kind: tcp, addr: 'h:1', critical: no}\n",
			`f.yaml:2: dependencies[0].critical: expected a boolean (true or false), got string "no"`},

		// Health, feedback, capture.
		{"health interval zero", "health:\n  interval: 0s\n", "f.yaml:2: health.interval: must be > 0, got 0s"},
		{"threshold out of range", "health:\n  thresholds:\n    cpu_percent: 150\n    disk_percent: 0\n",
			"f.yaml:3: health.thresholds.cpu_percent: must be in (0,100], got 150\nf.yaml:4: health.thresholds.disk_percent: must be in (0,100], got 0"},
		{"metric type", "feedback:\n  metrics:\n    - {name: stars, type: int}\n", `f.yaml:3: feedback.metrics[0].type: must be one of boolean, float, comment or demonstration, got "int"`},
		{"metric optimize", "feedback:\n  metrics:\n    - {name: stars, type: float, optimize: up}\n", `f.yaml:3: feedback.metrics[0].optimize: must be one of max or min, got "up"`},
		{"optimize on a comment", "feedback:\n  metrics:\n    - {name: note, type: comment, optimize: max}\n",
			"f.yaml:3: feedback.metrics[0].optimize: applies only to boolean and float metrics, not comment"},
		{"min on a boolean", "feedback:\n  metrics:\n    - {name: ok, type: boolean, min: 0}\n", "f.yaml:3: feedback.metrics[0].min: applies only to float metrics, not boolean"},
		{"min not below max", "feedback:\n  metrics:\n    - name: stars\n      type: float\n      min: 5\n      max: 1\n",
			"f.yaml:6: feedback.metrics[0].max: must be > min (5), got 1"},
		{"duplicate metric names", "feedback:\n  metrics:\n    - {name: ok, type: boolean}\n    - {name: ok, type: comment}\n",
			`f.yaml:4: feedback.metrics[1].name: duplicate name "ok" (first at line 3)`},
		{"sample rate", "capture:\n  sample_rate: 1.5\n", "f.yaml:2: capture.sample_rate: must be in [0,1], got 1.5"},
		{"capture user", "capture:\n  user: sha1\n", `f.yaml:2: capture.user: must be one of plain, hashed or none, got "sha1"`},
		{"queue size", "store:\n  queue_size: 0\n", "f.yaml:2: store.queue_size: must be > 0, got 0"},
		{"batch over queue", "store:\n  queue_size: 10\n  batch_size: 50\n", "f.yaml:3: store.batch_size: must be <= queue_size (10), got 50"},
		{"flush interval", "store:\n  flush_interval: 0s\n", "f.yaml:2: store.flush_interval: must be > 0, got 0s"},
		{"redact regex", "capture:\n  redact:\n    - 'sk-[a-z'\n", "f.yaml:3: capture.redact[0]: invalid regular expression \"sk-[a-z\": missing closing ]: `[a-z`"},
		{"empty redact regex", "capture:\n  redact: ['']\n", "f.yaml:2: capture.redact[0]: must be a non-empty regular expression"},

		// Many problems at once: every one, sorted by line then column.
		{"all errors sorted", "health:\n  interval: 10\nserver:\n  listen: [a]\n" + "backends:\n  - name: a\n    kind: llamacpp\n    url: http://a\n    breaker: {window: 30, failure_rate: 2}\n",
			"f.yaml:2: health.interval: duration 10 has no unit; add one, like 10s or 10ms (units: ns, us, ms, s, m, h)\n" +
				"f.yaml:4: server.listen: expected a string, got a sequence\n" +
				"f.yaml:9: backends[0].breaker.window: duration 30 has no unit; add one, like 30s or 30ms (units: ns, us, ms, s, m, h)\n" +
				"f.yaml:9: backends[0].breaker.failure_rate: must be in (0,1], got 2"},
		{"no cascade from a broken list", "backends: {name: a}\nroutes:\n  - {name: r, targets: [{backend: a, model: m}]}\n",
			"f.yaml:1: backends: expected a sequence, got a mapping"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			cfg, err := Parse("f.yaml", []byte(tt.yaml))
			if err == nil {
				t.Fatalf("Parse succeeded, want:\n%s", tt.want)
			}
			if cfg != nil {
				t.Errorf("Parse returned a config with an error")
			}
			if got := err.Error(); got != tt.want {
				t.Errorf("error:\n got: %s\nwant: %s", strings.ReplaceAll(got, "\n", "\n      "), strings.ReplaceAll(tt.want, "\n", "\n      "))
			}
			var list Errors
			if !errors.As(err, &list) || len(list) != strings.Count(tt.want, "\n")+1 {
				t.Errorf("errors.As(Errors) = %d problems, want %d", len(list), strings.Count(tt.want, "\n")+1)
			}
			var one *Error
			if !errors.As(err, &one) || one.File != "f.yaml" {
				t.Errorf("errors.As(*Error) = %+v", one)
			}
		})
	}
}

// TestIssueExample reproduces the error the issue shows, at line 14.
func TestIssueExample(t *testing.T) {
	t.Parallel()
	src := `server:
  listen: 127.0.0.1:8700
backends:
  - name: llama
    kind: llamacpp
    url: http://127.0.0.1:8080
  - name: remote
    kind: openai
    url: https://api.openai.com/v1
    api_key_env: OPENAI_API_KEY
    breaker:
      min_calls: 20
      window: 2m
      failure_rate: 1.5
`
	_, err := Parse("flywheel.yaml", []byte(src))
	want := "flywheel.yaml:14: backends[1].breaker.failure_rate: must be in (0,1], got 1.5"
	if err == nil || err.Error() != want {
		t.Errorf("error = %v, want %s", err, want)
	}
}
