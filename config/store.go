package config

import (
	"strings"
	"time"
)

// StoreDriver names a storage engine.
type StoreDriver string

// Storage engines.
const (
	// DriverSQLite keeps data in a local SQLite file.
	DriverSQLite StoreDriver = "sqlite"
	// DriverPostgres keeps data in PostgreSQL.
	DriverPostgres StoreDriver = "postgres"
)

// DefaultSQLiteDSN is the SQLite file used when store.dsn is not set.
const DefaultSQLiteDSN = "./flywheel-data/flywheel.db"

// Store configures where telemetry and feedback are written.
type Store struct {
	// Driver is sqlite or postgres. Default sqlite.
	Driver StoreDriver `yaml:"driver"`
	// DSN is the SQLite file path or the PostgreSQL connection string
	// (postgres://... or key=value). Default ./flywheel-data/flywheel.db for
	// sqlite; required (or DSNEnv) for postgres.
	DSN string `yaml:"dsn"`
	// DSNEnv names an environment variable that holds the DSN, to keep a
	// password out of the file. Exclusive with DSN.
	DSNEnv string `yaml:"dsn_env"`
	// Retention is how long inference records are kept; 0 keeps them
	// forever. Default 720h (30 days).
	Retention time.Duration `yaml:"retention"`
	// QueueSize bounds the inference events waiting to be written; beyond
	// it events are dropped and counted. Default 10000, or batch_size when
	// the file set a larger one.
	QueueSize int `yaml:"queue_size"`
	// QueueBytes bounds the memory those events hold (their captured
	// request and response bodies, and a fixed cost each), with the
	// batches being written; beyond it events are dropped and counted as
	// beyond queue_size. Default 16MiB.
	QueueBytes ByteSize `yaml:"queue_bytes"`
	// BatchSize is the most events written in one transaction. Default
	// 1000, or queue_size when that is smaller; at most queue_size.
	BatchSize int `yaml:"batch_size"`
	// FlushInterval is the longest an event waits before it is written.
	// Default 200ms.
	FlushInterval time.Duration `yaml:"flush_interval"`
}

// DefaultStore returns the store section's defaults.
func DefaultStore() Store {
	return Store{Driver: DriverSQLite, DSN: DefaultSQLiteDSN, Retention: 720 * time.Hour, QueueSize: 10000,
		QueueBytes: 16 * MiB, BatchSize: 1000, FlushInterval: 200 * time.Millisecond}
}

// normalize drops the default SQLite path when the file chose another
// source for the DSN, and adapts the default queue and batch sizes to each
// other.
func (s *Store) normalize(v *validator, path string) {
	if !v.has(join(path, "dsn")) && s.DSN == DefaultSQLiteDSN && (s.DSNEnv != "" || s.Driver == DriverPostgres) {
		s.DSN = ""
	}
	if !v.defaulted(join(path, "batch_size")) {
		raiseDefault(v, join(path, "queue_size"), &s.QueueSize, s.BatchSize)
	}
	lowerDefault(v, join(path, "batch_size"), &s.BatchSize, s.QueueSize)
}

func (s *Store) validate(v *validator, path string) {
	v.oneOf(join(path, "driver"), string(s.Driver), string(DriverSQLite), string(DriverPostgres))
	v.envName(join(path, "dsn_env"), s.DSNEnv)
	switch {
	case s.DSN != "" && s.DSNEnv != "":
		v.errorf(join(path, "dsn_env"), "set dsn or dsn_env, not both")
	case s.DSN == "" && s.DSNEnv == "":
		v.errorf(join(path, "dsn"), "required (or dsn_env) for driver %s", s.Driver)
	case s.Driver == DriverPostgres && s.DSN != "" && !strings.HasPrefix(s.DSN, "postgres://") &&
		!strings.HasPrefix(s.DSN, "postgresql://") && !strings.Contains(s.DSN, "="):
		v.errorf(join(path, "dsn"), "must be a PostgreSQL URL (postgres://...) or key=value string for driver postgres")
	}
	v.nonNegative(join(path, "retention"), s.Retention)
	if s.QueueSize <= 0 {
		v.errorf(join(path, "queue_size"), "must be > 0, got %d", s.QueueSize)
	}
	if s.QueueBytes <= 0 {
		v.errorf(join(path, "queue_bytes"), "must be > 0, got %s", s.QueueBytes)
	}
	switch {
	case s.BatchSize <= 0:
		v.errorf(join(path, "batch_size"), "must be > 0, got %d", s.BatchSize)
	case s.QueueSize > 0 && s.BatchSize > s.QueueSize:
		v.errorf(join(path, "batch_size"), "must be <= queue_size (%d), got %d", s.QueueSize, s.BatchSize)
	}
	v.positive(join(path, "flush_interval"), s.FlushInterval)
}
