package postgres_test

import (
	"context"
	"testing"

	"github.com/flywheel-stack/flywheel/internal/testenv"
	"github.com/flywheel-stack/flywheel/store"
	"github.com/flywheel-stack/flywheel/store/postgres"
	"github.com/flywheel-stack/flywheel/store/storetest"
)

func TestSLOConformance(t *testing.T) {
	dsn := testenv.PostgresDSN(t)
	storetest.RunSLO(t, func(t *testing.T) store.Store {
		s, err := postgres.Open(context.Background(), storetest.PostgresSchema(t, dsn), postgres.Options{})
		if err != nil {
			t.Fatal(err)
		}
		return s
	})
}
