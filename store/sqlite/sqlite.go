// Package sqlite is the store driver for a local SQLite file (through
// modernc.org/sqlite, pure Go): WAL journal, one writer connection, a pool
// of readers and a busy timeout. It is Flywheel's zero set-up default.
package sqlite

import (
	"context"
	"database/sql"
	"embed"
	"errors"
	"fmt"
	"io/fs"
	"net/url"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"time"

	"github.com/flywheel-stack/flywheel/store"
	"github.com/pressly/goose/v3"
	_ "modernc.org/sqlite" // registers the "sqlite" database/sql driver
)

//go:embed migrations/*.sql
var migrations embed.FS

// Options tune a SQLite store. The zero value is sensible.
type Options struct {
	// BusyTimeout is how long a statement waits for a lock another
	// process holds. Default 5 s.
	BusyTimeout time.Duration
	// Readers is the size of the reader pool. Default the number of CPUs
	// (at least 2).
	Readers int
}

// Store is a store.Store in one SQLite file.
type Store struct {
	path       string
	writer     *sql.DB // one connection: SQLite has one writer at a time
	reader     *sql.DB
	checkpoint *checkpointer
}

var _ store.Store = (*Store)(nil)

// Open opens (creating the file and its folder if needed) the SQLite
// database at path, applies the migrations and checks that it can write.
// Its errors name the path and the cause.
func Open(ctx context.Context, path string, opts Options) (*Store, error) {
	if path == "" {
		return nil, errors.New("sqlite store: no path given")
	}
	fail := func(what string, err error) (*Store, error) {
		return nil, fmt.Errorf("sqlite store %s: %s: %w", path, what, err)
	}
	if dir := filepath.Dir(path); dir != "" {
		if err := os.MkdirAll(dir, 0o755); err != nil {
			return fail("cannot create its folder", err)
		}
	}
	if opts.BusyTimeout <= 0 {
		opts.BusyTimeout = 5 * time.Second
	}
	if opts.Readers <= 0 {
		opts.Readers = max(runtime.NumCPU(), 2)
	}
	writer, err := sql.Open("sqlite", dsn(path, opts, roleWriter))
	if err != nil {
		return fail("cannot open", err)
	}
	writer.SetMaxOpenConns(1)
	writer.SetMaxIdleConns(1)
	writer.SetConnMaxIdleTime(0)
	writer.SetConnMaxLifetime(0)
	s := &Store{path: path, writer: writer}
	if err := s.migrate(ctx); err != nil {
		_ = writer.Close()
		return fail("cannot open", err)
	}
	if _, err := writer.ExecContext(ctx, `INSERT INTO store_meta (key, value) VALUES ('opened_at', ?)
		ON CONFLICT (key) DO UPDATE SET value = excluded.value`, time.Now().UTC().Format(time.RFC3339Nano)); err != nil {
		_ = writer.Close()
		return fail("cannot write", err)
	}
	reader, err := sql.Open("sqlite", dsn(path, opts, roleReader))
	if err != nil {
		_ = writer.Close()
		return fail("cannot open for reading", err)
	}
	reader.SetMaxOpenConns(opts.Readers)
	reader.SetMaxIdleConns(opts.Readers)
	s.reader = reader
	cp, err := sql.Open("sqlite", dsn(path, opts, roleCheckpointer))
	if err != nil {
		_ = errors.Join(reader.Close(), writer.Close())
		return fail("cannot open for checkpoints", err)
	}
	cp.SetMaxOpenConns(1)
	cp.SetMaxIdleConns(1)
	cp.SetConnMaxIdleTime(0)
	cp.SetConnMaxLifetime(0)
	s.checkpoint = startCheckpointer(cp)
	return s, nil
}

// cacheKiB is each connection's page cache, in KiB of pages (32 pages of
// 16 KiB). The cache is memory outside Go's heap that SQLite keeps once a
// connection has touched that many pages, and it is most of what the store
// adds to the gateway's memory. What a cached page costs is not its size:
// modernc.org/sqlite's C heap (modernc.org/memory) gives every allocation
// larger than 16 KiB a 64 KiB region of its own, and a 16 KiB page with
// SQLite's header is one, so each cached page holds 64 KiB resident
// (TestPageCacheIsBoundedOnEveryConnection counts it so). 32 pages are 2 MiB resident per connection; the 128
// of the previous bound were 8 MiB (the writer's filled in the first
// seconds of traffic: 12 MB of the gateway's resident memory after a
// saturation run, 2 MB with this one), and the 64 MiB cache of earlier
// versions reached 181 MB in TestMemoryProbe (store/writer). Batches are
// written no slower (BenchmarkWriteInferences, 1,000 rows: 44-47 ms with
// either bound): telemetry inserts append, so a batch touches the right
// edge of the table and its indexes, and the operating system's file
// cache serves the rereads. A batch larger than the cache spills pages to
// the WAL before its commit rather than at it.
const cacheKiB = 512

// role is what a connection of the store is for.
type role int

const (
	roleWriter role = iota
	roleReader
	roleCheckpointer
)

// dsn builds modernc.org/sqlite's connection string. The writer's
// transactions take the write lock at BEGIN, so that two writers wait on the
// busy timeout instead of failing on a lock upgrade; synchronous=FULL makes
// a commit survive a power loss, not only a crash (feedback is written
// before its 200). Telemetry batches lower it to NORMAL for their own
// transaction (see WriteInferences). The writer checkpoints only as a
// backstop: the checkpointer connection does it after each batch.
func dsn(path string, opts Options, r role) string {
	q := url.Values{}
	q.Add("_pragma", fmt.Sprintf("busy_timeout(%d)", opts.BusyTimeout.Milliseconds()))
	// 16 KiB pages (fixed when the file is created): a ~2 KB inference row
	// and fewer, larger WAL writes per batch.
	q.Add("_pragma", "page_size(16384)")
	// The driver runs the _pragma list sorted by name, so journal_mode
	// there would come before page_size and fix the page size at 4 KiB
	// (one ~2 KB row per page, half of it empty). The _journal_mode key
	// runs after the list.
	q.Set("_journal_mode", "WAL")
	// The page cache is bounded per connection (see cacheKiB): it is most
	// of what the store adds to the gateway's memory.
	q.Add("_pragma", fmt.Sprintf("cache_size(-%d)", cacheKiB))
	q.Add("_pragma", "synchronous(FULL)")
	switch r {
	case roleReader:
		q.Add("_pragma", "query_only(1)")
	case roleWriter:
		q.Add("_pragma", fmt.Sprintf("wal_autocheckpoint(%d)", writerAutocheckpoint))
		q.Set("_txlock", "immediate")
	}
	return "file:" + escapePath(path) + "?" + q.Encode()
}

// escapePath keeps a path with '?' or '#' from being read as the start of
// the DSN's options.
func escapePath(path string) string {
	return strings.NewReplacer("%", "%25", "?", "%3F", "#", "%23").Replace(path)
}

func (s *Store) migrate(ctx context.Context) error {
	fsys, err := fs.Sub(migrations, "migrations")
	if err != nil {
		return err
	}
	p, err := goose.NewProvider(goose.DialectSQLite3, s.writer, fsys, goose.WithDisableGlobalRegistry(true))
	if err != nil {
		return err
	}
	if _, err := p.Up(ctx); err != nil {
		return fmt.Errorf("migrations: %w", err)
	}
	return nil
}

// Migrations returns the embedded migration files, for documentation and
// for tools that want to apply them themselves.
func Migrations() embed.FS { return migrations }

// Ping checks that the file can still be read.
func (s *Store) Ping(ctx context.Context) error {
	return s.reader.PingContext(ctx)
}

// Location returns the file path.
func (s *Store) Location() string { return s.path }

// Close closes the connections.
func (s *Store) Close() error {
	return errors.Join(s.checkpoint.stop(), s.reader.Close(), s.writer.Close())
}
