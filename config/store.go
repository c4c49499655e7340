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
}

// DefaultStore returns the store section's defaults.
func DefaultStore() Store {
	return Store{Driver: DriverSQLite, DSN: DefaultSQLiteDSN, Retention: 720 * time.Hour}
}

// normalize drops the default SQLite path when the file chose another
// source for the DSN.
func (s *Store) normalize(v *validator, path string) {
	if !v.has(join(path, "dsn")) && s.DSN == DefaultSQLiteDSN && (s.DSNEnv != "" || s.Driver == DriverPostgres) {
		s.DSN = ""
	}
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
}
