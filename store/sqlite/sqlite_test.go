package sqlite_test

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/flywheel-stack/flywheel/store"
	"github.com/flywheel-stack/flywheel/store/sqlite"
	"github.com/flywheel-stack/flywheel/store/storetest"
)

func TestConformance(t *testing.T) {
	storetest.Run(t, func(t *testing.T) store.Store {
		s, err := sqlite.Open(context.Background(), filepath.Join(t.TempDir(), "data", "flywheel.db"), sqlite.Options{})
		if err != nil {
			t.Fatal(err)
		}
		return s
	})
}

func TestOpenCreatesFolderAndReopens(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "a", "b", "flywheel.db")
	s, err := sqlite.Open(ctx, path, sqlite.Options{})
	if err != nil {
		t.Fatal(err)
	}
	if err := s.WriteInferences(ctx, []store.Inference{storetest.Sample("0190a1b2-0000-7000-8000-000000000001", storetest.SampleTime())}); err != nil {
		t.Fatal(err)
	}
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	s, err = sqlite.Open(ctx, path, sqlite.Options{}) // migrations already applied
	if err != nil {
		t.Fatalf("reopen: %v", err)
	}
	defer s.Close()
	if c, err := s.Counts(ctx); err != nil || c.Inferences != 1 {
		t.Errorf("after reopen Counts = %+v, %v", c, err)
	}
}

func TestOpenErrorsNamePathAndCause(t *testing.T) {
	dir := t.TempDir()
	notDir := filepath.Join(dir, "file")
	if err := os.WriteFile(notDir, []byte("x"), 0o644); err != nil {
		t.Fatal(err)
	}
	garbage := filepath.Join(dir, "garbage.db")
	if err := os.WriteFile(garbage, []byte(strings.Repeat("not a database ", 200)), 0o644); err != nil {
		t.Fatal(err)
	}
	cases := []struct{ path, cause string }{
		{filepath.Join(notDir, "flywheel.db"), "not a directory"},
		{garbage, "not a database"},
	}
	if os.Geteuid() != 0 { // root writes anywhere
		ro := filepath.Join(dir, "ro")
		if err := os.Mkdir(ro, 0o555); err != nil {
			t.Fatal(err)
		}
		cases = append(cases, struct{ path, cause string }{filepath.Join(ro, "flywheel.db"), "unable to open"})
	}
	for _, tc := range cases {
		s, err := sqlite.Open(context.Background(), tc.path, sqlite.Options{})
		if err == nil {
			s.Close()
			t.Errorf("Open(%s) succeeded, want an error", tc.path)
			continue
		}
		if !strings.Contains(err.Error(), tc.path) || !strings.Contains(err.Error(), tc.cause) {
			t.Errorf("Open(%s) error = %q, want the path and %q", tc.path, err, tc.cause)
		}
	}
}
