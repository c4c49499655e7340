// Package postgres is the store driver for PostgreSQL, through a pgx
// connection pool; inference batches are written with COPY. Several gateway
// replicas can share one database: migrations take a session lock, so only
// one replica applies them.
package postgres

import (
	"context"
	"embed"
	"errors"
	"fmt"
	"io/fs"
	"sync"

	"github.com/flywheel-stack/flywheel/store"
	"github.com/jackc/pgx/v5/pgconn"
	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/jackc/pgx/v5/stdlib"
	"github.com/pressly/goose/v3"
	"github.com/pressly/goose/v3/lock"
)

//go:embed migrations/*.sql
var migrations embed.FS

// Options tune a PostgreSQL store. The zero value is sensible.
type Options struct {
	// MaxConns bounds the pool. Default pgx's (4 or the number of CPUs).
	MaxConns int32
}

// Store is a store.Store in a PostgreSQL database.
type Store struct {
	pool     *pgxpool.Pool
	location string

	mu       sync.Mutex // serializes migration attempts
	migrated bool
}

var _ store.Store = (*Store)(nil)

// ErrUnavailable wraps the errors of a store that cannot reach its server.
var ErrUnavailable = errors.New("postgres is unavailable")

// Open connects to the database at dsn and applies the migrations. When
// the server cannot be reached it still returns the store, with the error:
// the gateway keeps serving, and the first operation that reaches the
// server applies the migrations. Any other failure (a bad DSN, a failed
// migration) returns a nil store.
func Open(ctx context.Context, dsn string, opts Options) (*Store, error) {
	cfg, err := pgxpool.ParseConfig(dsn)
	if err != nil {
		return nil, fmt.Errorf("postgres store: bad dsn: %w", err)
	}
	if opts.MaxConns > 0 {
		cfg.MaxConns = opts.MaxConns
	}
	pool, err := pgxpool.NewWithConfig(ctx, cfg)
	if err != nil {
		return nil, fmt.Errorf("postgres store: %w", err)
	}
	s := &Store{pool: pool, location: fmt.Sprintf("postgres %s:%d/%s", cfg.ConnConfig.Host, cfg.ConnConfig.Port, cfg.ConnConfig.Database)}
	if err := s.ensureMigrated(ctx); err != nil {
		if errors.Is(err, ErrUnavailable) {
			return s, err
		}
		pool.Close()
		return nil, err
	}
	return s, nil
}

// ensureMigrated applies the migrations once per store.
func (s *Store) ensureMigrated(ctx context.Context) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.migrated {
		return nil
	}
	if err := s.pool.Ping(ctx); err != nil {
		return s.wrap("connect", err)
	}
	fsys, err := fs.Sub(migrations, "migrations")
	if err != nil {
		return err
	}
	locker, err := lock.NewPostgresSessionLocker()
	if err != nil {
		return err
	}
	db := stdlib.OpenDBFromPool(s.pool)
	defer db.Close()
	p, err := goose.NewProvider(goose.DialectPostgres, db, fsys, goose.WithDisableGlobalRegistry(true),
		goose.WithSessionLocker(locker))
	if err != nil {
		return err
	}
	if _, err := p.Up(ctx); err != nil {
		return s.wrap("migrations", err)
	}
	s.migrated = true
	return nil
}

// ready applies the migrations if an earlier attempt could not.
func (s *Store) ready(ctx context.Context) error {
	s.mu.Lock()
	done := s.migrated
	s.mu.Unlock()
	if done {
		return nil
	}
	return s.ensureMigrated(ctx)
}

// wrap names the store, marks connection failures with ErrUnavailable
// and a row's refused values with store.ErrRejected.
func (s *Store) wrap(what string, err error) error {
	switch {
	case isConnError(err):
		return fmt.Errorf("%s: %s: %w: %w", s.location, what, ErrUnavailable, err)
	case isRowError(err):
		return fmt.Errorf("%s: %s: %w: %w", s.location, what, store.ErrRejected, err)
	}
	return fmt.Errorf("%s: %s: %w", s.location, what, err)
}

// isRowError reports whether the server refused a statement because of the
// values it carries: SQLSTATE class 22 (data exception), 23 (integrity
// constraint violation) or 54 (program limit exceeded, such as an index
// row over its size limit).
func isRowError(err error) bool {
	var pgErr *pgconn.PgError
	if !errors.As(err, &pgErr) || len(pgErr.Code) != 5 {
		return false
	}
	switch pgErr.Code[:2] {
	case "22", "23", "54":
		return true
	}
	return false
}

// isConnError reports whether err means the server could not be reached or
// the connection broke, as opposed to a statement the server refused.
func isConnError(err error) bool {
	var pgErr *pgconn.PgError
	if errors.As(err, &pgErr) {
		// Class 08 is connection exceptions; 57P0x is the server shutting
		// down or the connection being terminated.
		return len(pgErr.Code) == 5 && (pgErr.Code[:2] == "08" || pgErr.Code[:4] == "57P0")
	}
	if errors.Is(err, context.Canceled) {
		return false
	}
	var connErr *pgconn.ConnectError
	return errors.As(err, &connErr) || pgconn.SafeToRetry(err) || pgconn.Timeout(err) || isNetError(err)
}

// Migrations returns the embedded migration files.
func Migrations() embed.FS { return migrations }

// Ping checks that the server answers.
func (s *Store) Ping(ctx context.Context) error {
	if err := s.pool.Ping(ctx); err != nil {
		return s.wrap("ping", err)
	}
	return s.ready(ctx)
}

// Location returns the host, port and database, without credentials.
func (s *Store) Location() string { return s.location }

// Pool returns the connection pool, for code that adds its own tables.
func (s *Store) Pool() *pgxpool.Pool { return s.pool }

// Close closes the pool.
func (s *Store) Close() error {
	s.pool.Close()
	return nil
}
