package postgres_test

import (
	"context"
	"testing"

	"github.com/flywheel-stack/flywheel/internal/testenv"
	"github.com/flywheel-stack/flywheel/store/postgres"
	"github.com/flywheel-stack/flywheel/store/storetest"
)

func open(b *testing.B) *postgres.Store {
	b.Helper()
	s, err := postgres.Open(context.Background(), storetest.PostgresSchema(b, testenv.PostgresDSN(b)), postgres.Options{})
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { _ = s.Close() })
	return s
}

func BenchmarkWriteInferences(b *testing.B) { storetest.BenchmarkWriteInferences(b, open(b), 1000) }

func BenchmarkWriteFeedback(b *testing.B) { storetest.BenchmarkWriteFeedback(b, open(b)) }
