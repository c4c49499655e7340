package postgres_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/flywheel-stack/flywheel/internal/testenv"
	"github.com/flywheel-stack/flywheel/store"
	"github.com/flywheel-stack/flywheel/store/postgres"
	"github.com/flywheel-stack/flywheel/store/storetest"
)

func TestConformance(t *testing.T) {
	dsn := testenv.PostgresDSN(t)
	storetest.Run(t, func(t *testing.T) store.Store {
		s, err := postgres.Open(context.Background(), storetest.PostgresSchema(t, dsn), postgres.Options{})
		if err != nil {
			t.Fatal(err)
		}
		return s
	})
}

func TestOpenUnreachableReturnsTheStore(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	s, err := postgres.Open(ctx, "postgres://postgres@127.0.0.1:1/none?sslmode=disable&connect_timeout=1", postgres.Options{})
	if err == nil || s == nil {
		t.Fatalf("Open(unreachable) = %v, %v; want the store and an error", s, err)
	}
	defer s.Close()
	if !strings.Contains(err.Error(), "127.0.0.1:1/none") {
		t.Errorf("error %q does not name the server", err)
	}
	if err := s.WriteInferences(ctx, []store.Inference{storetest.Sample("0190a1b2-0000-7000-8000-000000000001", storetest.SampleTime())}); err == nil {
		t.Error("WriteInferences on an unreachable server succeeded")
	}
}

func TestOpenBadDSN(t *testing.T) {
	if s, err := postgres.Open(context.Background(), "postgres://%zz", postgres.Options{}); err == nil || s != nil {
		t.Fatalf("Open(bad dsn) = %v, %v; want an error", s, err)
	}
}
