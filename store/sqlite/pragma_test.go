package sqlite

import (
	"context"
	"database/sql"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/flywheel-stack/flywheel/store"
	"github.com/google/uuid"
)

func openTemp(t *testing.T) *Store {
	t.Helper()
	s, err := Open(context.Background(), filepath.Join(t.TempDir(), "flywheel.db"), Options{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = s.Close() })
	return s
}

func pragma(t *testing.T, s *Store, name string) int {
	t.Helper()
	var v int
	if err := s.writer.QueryRowContext(context.Background(), "PRAGMA "+name).Scan(&v); err != nil {
		t.Fatalf("PRAGMA %s: %v", name, err)
	}
	return v
}

func kiloBatch(n int) []store.Inference {
	batch := make([]store.Inference, n)
	for i := range batch {
		id := uuid.Must(uuid.NewV7()).String()
		batch[i] = store.Inference{ID: id, EpisodeID: id, Route: "chat", Start: time.Now(), End: time.Now(),
			Request: strings.Repeat("q", 1000), Response: strings.Repeat("a", 1000)}
	}
	return batch
}

// The driver sorts its _pragma list; page_size must still be applied
// before the file turns to WAL, or it stays at 4 KiB.
func TestNewFileHasLargePagesAndWAL(t *testing.T) {
	s := openTemp(t)
	if got := pragma(t, s, "page_size"); got != 16384 {
		t.Errorf("page_size = %d, want 16384", got)
	}
	var mode string
	if err := s.writer.QueryRowContext(context.Background(), "PRAGMA journal_mode").Scan(&mode); err != nil || mode != "wal" {
		t.Errorf("journal_mode = %q (%v), want wal", mode, err)
	}
}

// A batch commits with synchronous=NORMAL; whatever comes next on the
// writer connection (feedback) must be back at FULL, after a failed batch
// too.
func TestBatchRestoresFullSync(t *testing.T) {
	s := openTemp(t)
	const full = 2
	if got := pragma(t, s, "synchronous"); got != full {
		t.Fatalf("synchronous before any batch = %d, want %d (FULL)", got, full)
	}
	if err := s.WriteInferences(context.Background(), kiloBatch(10)); err != nil {
		t.Fatal(err)
	}
	if got := pragma(t, s, "synchronous"); got != full {
		t.Errorf("synchronous after a batch = %d, want %d (FULL)", got, full)
	}
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if err := s.WriteInferences(ctx, kiloBatch(10)); err == nil {
		t.Fatal("WriteInferences with a cancelled context succeeded")
	}
	if got := pragma(t, s, "synchronous"); got != full {
		t.Errorf("synchronous after a failed batch = %d, want %d (FULL)", got, full)
	}
}

// The writer leaves checkpoints to the checkpointer: after a few batches,
// far below the writer's own autocheckpoint, their pages reach the
// database file.
func TestCheckpointerCopiesBatchesIntoTheFile(t *testing.T) {
	s := openTemp(t)
	size := func() int64 {
		fi, err := os.Stat(s.path)
		if err != nil {
			t.Fatal(err)
		}
		return fi.Size()
	}
	before := size()
	for range 3 {
		if err := s.WriteInferences(context.Background(), kiloBatch(200)); err != nil {
			t.Fatal(err)
		}
	}
	const payload = 3 * 200 * 2000
	deadline := time.Now().Add(10 * time.Second)
	for size()-before < payload {
		if time.Now().After(deadline) {
			t.Fatalf("database file grew by %d bytes in 10 s, want at least %d: no checkpoint ran", size()-before, payload)
		}
		time.Sleep(time.Millisecond)
	}
	if got := pragma(t, s, "wal_autocheckpoint"); got != writerAutocheckpoint {
		t.Errorf("writer wal_autocheckpoint = %d, want %d", got, writerAutocheckpoint)
	}
}

// allocatorRegion is what modernc.org/memory, the C heap of
// modernc.org/sqlite, maps for one allocation larger than a quarter of it
// (16 KiB): a cached 16 KiB page with SQLite's header is one, so this is
// what a cached page holds resident. Pages of 4 KiB would share regions.
const allocatorRegion = 64 << 10

// residentPerPage is what one cached page of pageSize bytes holds in the
// C heap.
func residentPerPage(pageSize int64) int64 {
	if pageSize > allocatorRegion/4-512 { // the page and SQLite's header
		return (pageSize + 512 + allocatorRegion - 1) / allocatorRegion * allocatorRegion
	}
	return pageSize
}

// The page cache, outside Go's heap, is most of what the store adds to the
// gateway's memory: every connection's is bounded by what it holds
// resident, not by the bytes of its pages, and nothing is mapped (issue
// 10, speed: 100 MB after saturation with the store on; with 128 cached
// 16 KiB pages the writer's cache alone held 8 MiB).
func TestPageCacheIsBoundedOnEveryConnection(t *testing.T) {
	s := openTemp(t)
	const budget = 2 << 20 // resident bytes per connection
	pageSize := int64(pragma(t, s, "page_size"))
	for name, db := range map[string]*sql.DB{"writer": s.writer, "reader": s.reader, "checkpointer": s.checkpoint.db} {
		var cache, mmap int64
		if err := db.QueryRowContext(context.Background(), "PRAGMA cache_size").Scan(&cache); err != nil {
			t.Fatal(err)
		}
		if err := db.QueryRowContext(context.Background(), "PRAGMA mmap_size").Scan(&mmap); err != nil {
			t.Fatal(err)
		}
		pages := cache
		if cache < 0 { // negative: KiB of pages
			pages = (-cache*1024 + pageSize - 1) / pageSize
		}
		if resident := pages * residentPerPage(pageSize); resident > budget || mmap != 0 {
			t.Errorf("%s connection: %d cached pages of %d bytes hold %d bytes resident, mmap %d; want at most %d and no mmap",
				name, pages, pageSize, resident, mmap, budget)
		}
	}
}
