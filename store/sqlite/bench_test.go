package sqlite_test

import (
	"context"
	"path/filepath"
	"testing"

	"github.com/flywheel-stack/flywheel/store/sqlite"
	"github.com/flywheel-stack/flywheel/store/storetest"
)

func open(b *testing.B) *sqlite.Store {
	b.Helper()
	s, err := sqlite.Open(context.Background(), filepath.Join(b.TempDir(), "bench.db"), sqlite.Options{})
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { _ = s.Close() })
	return s
}

func BenchmarkWriteInferences(b *testing.B) { storetest.BenchmarkWriteInferences(b, open(b), 1000) }

func BenchmarkWriteFeedback(b *testing.B) { storetest.BenchmarkWriteFeedback(b, open(b)) }
