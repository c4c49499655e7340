package sqlite_test

import (
	"context"
	"path/filepath"
	"testing"

	"github.com/flywheel-stack/flywheel/store"
	"github.com/flywheel-stack/flywheel/store/sqlite"
	"github.com/flywheel-stack/flywheel/store/storetest"
)

func TestSLOConformance(t *testing.T) {
	storetest.RunSLO(t, func(t *testing.T) store.Store {
		s, err := sqlite.Open(context.Background(), filepath.Join(t.TempDir(), "flywheel.db"), sqlite.Options{})
		if err != nil {
			t.Fatal(err)
		}
		return s
	})
}
