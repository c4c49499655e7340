package config

import (
	"strings"
	"time"
	"unicode"
)

// DependencyKind names how a dependency is probed.
type DependencyKind string

// Dependency kinds.
const (
	// DepPostgres pings a PostgreSQL database (dsn or dsn_env).
	DepPostgres DependencyKind = "postgres"
	// DepRedis sends PING to a Redis server (addr).
	DepRedis DependencyKind = "redis"
	// DepHTTP sends GET to a URL and checks the status (url,
	// expected_status).
	DepHTTP DependencyKind = "http"
	// DepTCP opens a TCP connection (addr).
	DepTCP DependencyKind = "tcp"
	// DepSQL pings a database/sql database (dsn or dsn_env).
	DepSQL DependencyKind = "sql"
	// DepQdrant asks a Qdrant server's /readyz and, with collection, that
	// the collection exists (url, collection, api_key_env).
	DepQdrant DependencyKind = "qdrant"
)

// DependencyKinds lists the accepted dependency kinds.
func DependencyKinds() []DependencyKind {
	return []DependencyKind{DepPostgres, DepRedis, DepHTTP, DepTCP, DepSQL, DepQdrant}
}

// DefaultExpectedStatus returns what an http dependency must answer when the
// file sets no expected_status: 200-399.
func DefaultExpectedStatus() StatusRanges {
	return StatusRanges{{Min: 200, Max: 399}}
}

// Dependency is a service the health checks probe.
type Dependency struct {
	// Name identifies the check (/readyz/NAME). Required, unique; letters,
	// digits, '_', '.' and '-'.
	Name string `yaml:"name"`
	// Kind is postgres, redis, http, tcp, sql or qdrant. Required.
	Kind DependencyKind `yaml:"kind"`
	// DSN is the connection string of a postgres or sql dependency.
	DSN string `yaml:"dsn"`
	// DSNEnv names the environment variable holding the DSN. A postgres or
	// sql dependency needs DSN or DSNEnv, not both.
	DSNEnv string `yaml:"dsn_env"`
	// Addr is the host:port of a redis or tcp dependency. Required for
	// those.
	Addr string `yaml:"addr"`
	// Username is the Redis ACL user of a redis dependency; empty means
	// the default user.
	Username string `yaml:"username"`
	// PasswordEnv names the environment variable holding the password of a
	// redis dependency; empty sends none.
	PasswordEnv string `yaml:"password_env"`
	// URL is what an http dependency GETs, or a qdrant dependency's base
	// URL. Required for those.
	URL string `yaml:"url"`
	// Collection is a Qdrant collection that must exist and not be red;
	// empty checks /readyz only. qdrant only.
	Collection string `yaml:"collection"`
	// APIKeyEnv names the environment variable holding a qdrant
	// dependency's API key; empty sends none.
	APIKeyEnv string `yaml:"api_key_env"`
	// ExpectedStatus is the statuses an http dependency may answer.
	// Default 200-399; http only.
	ExpectedStatus StatusRanges `yaml:"expected_status"`
	// Critical makes a failing check fail readiness; a non-critical one
	// only warns. Default true.
	Critical bool `yaml:"critical"`
	// Weight is the check's share in the composite health score. >= 0;
	// default 1.0.
	Weight float64 `yaml:"weight"`
	// Timeout bounds one probe. Default 5s, or Interval when that is
	// shorter; <= Interval when that is set.
	Timeout time.Duration `yaml:"timeout"`
	// Interval is how often the dependency is probed; 0 uses
	// health.interval.
	Interval time.Duration `yaml:"interval"`
	// FailureThreshold is how many consecutive failed probes mark the
	// dependency as failing. >= 1; default 1.
	FailureThreshold int `yaml:"failure_threshold"`
	// FailAfter, when set, also marks the dependency as failing once it
	// has failed continuously for this long, whichever of it and
	// FailureThreshold comes first. 0 (the default): FailureThreshold only.
	FailAfter time.Duration `yaml:"fail_after"`
}

// SetDefaults sets every field to its default: critical, weight 1, timeout
// 5s, failure threshold 1.
func (d *Dependency) SetDefaults() {
	*d = Dependency{Critical: true, Weight: 1, Timeout: 5 * time.Second, FailureThreshold: 1}
}

// normalize gives an http dependency its default expected status, and
// shrinks the default timeout to an interval the file set.
func (d *Dependency) normalize(v *validator, path string) {
	if d.Kind == DepHTTP && len(d.ExpectedStatus) == 0 {
		d.ExpectedStatus = DefaultExpectedStatus()
	}
	lowerDefault(v, join(path, "timeout"), &d.Timeout, d.Interval)
}

func (d *Dependency) validate(v *validator, path string) {
	key := func(k string) string { return join(path, k) }
	v.name(key("name"), d.Name)
	kinds := make([]string, 0, len(DependencyKinds()))
	for _, k := range DependencyKinds() {
		kinds = append(kinds, string(k))
	}
	known := v.oneOf(key("kind"), string(d.Kind), kinds...)
	v.envName(key("dsn_env"), d.DSNEnv)
	v.envName(key("password_env"), d.PasswordEnv)
	v.envName(key("api_key_env"), d.APIKeyEnv)

	// Which connection keys the kind uses; the others must be empty.
	uses := map[string]bool{}
	switch d.Kind {
	case DepPostgres, DepSQL:
		uses["dsn"], uses["dsn_env"] = true, true
		switch {
		case d.DSN != "" && d.DSNEnv != "":
			v.errorf(key("dsn_env"), "set dsn or dsn_env, not both")
		case d.DSN == "" && d.DSNEnv == "":
			v.errorf(key("dsn"), "required (or dsn_env) for kind %s", d.Kind)
		}
	case DepRedis, DepTCP:
		uses["addr"] = true
		uses["username"], uses["password_env"] = d.Kind == DepRedis, d.Kind == DepRedis
		v.hostPort(key("addr"), d.Addr, false)
	case DepHTTP:
		uses["url"], uses["expected_status"] = true, true
		v.httpURL(key("url"), d.URL)
	case DepQdrant:
		uses["url"], uses["collection"], uses["api_key_env"] = true, true, true
		v.httpURL(key("url"), d.URL)
		if d.Collection != "" && (len(d.Collection) > 255 || strings.ContainsFunc(d.Collection, badCollectionRune)) {
			v.errorf(key("collection"), "must be a Qdrant collection name: up to 255 characters, no '/', '\\' or control characters, got %q", d.Collection)
		}
	}
	if known {
		for _, f := range []struct {
			key string
			set bool
		}{{"dsn", d.DSN != ""}, {"dsn_env", d.DSNEnv != ""}, {"addr", d.Addr != ""}, {"url", d.URL != ""}, {"expected_status", len(d.ExpectedStatus) > 0},
			{"username", d.Username != ""}, {"password_env", d.PasswordEnv != ""}, {"collection", d.Collection != ""},
			{"api_key_env", d.APIKeyEnv != ""}} {
			if f.set && !uses[f.key] {
				v.errorf(key(f.key), "not used by kind %s", d.Kind)
			}
		}
	}

	if d.Weight < 0 {
		v.errorf(key("weight"), "must be >= 0, got %g", d.Weight)
	}
	v.positive(key("timeout"), d.Timeout)
	if v.optionalPositive(key("interval"), d.Interval) {
		v.timeoutWithin(key("timeout"), d.Timeout, d.Interval)
	}
	if d.FailureThreshold < 1 {
		v.errorf(key("failure_threshold"), "must be >= 1, got %d", d.FailureThreshold)
	}
	v.optionalPositive(key("fail_after"), d.FailAfter)
}

// badCollectionRune reports a character a Qdrant collection name cannot
// hold.
func badCollectionRune(r rune) bool { return r == '/' || r == '\\' || unicode.IsControl(r) }
