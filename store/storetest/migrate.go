package storetest

import (
	"context"
	"database/sql"
	"io/fs"
	"path"
	"testing"
	"testing/fstest"

	"github.com/pressly/goose/v3"
)

// ApplyOnly runs on db the one migration file name of migrations (its
// "migrations/" folder), as a database made by an older release had it:
// for tests that the next Open upgrades such a database.
func ApplyOnly(t *testing.T, db *sql.DB, dialect goose.Dialect, migrations fs.FS, name string) {
	t.Helper()
	data, err := fs.ReadFile(migrations, path.Join("migrations", name))
	if err != nil {
		t.Fatal(err)
	}
	p, err := goose.NewProvider(dialect, db, fstest.MapFS{name: {Data: data}}, goose.WithDisableGlobalRegistry(true))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := p.Up(context.Background()); err != nil {
		t.Fatal(err)
	}
}
