package sqlite

import (
	"context"
	"database/sql"
	"sync"
)

// writerAutocheckpoint is the writer connection's wal_autocheckpoint, in
// pages (256 MiB of 16 KiB pages). It is only a backstop: the checkpointer
// copies the WAL into the database after each telemetry batch and each
// feedback, on its own connection and goroutine, so that neither a batch
// nor a feedback commit pays for a checkpoint. If it falls that far behind, the writer's own
// commit checkpoints as SQLite does by default.
const writerAutocheckpoint = 16384

// checkpointer runs PASSIVE WAL checkpoints off the writer's path. A
// passive checkpoint never waits for the writer or the readers: it copies
// what it can and leaves the rest for the next one. Once the whole WAL is
// in the database, the writer's next transaction starts the WAL file over,
// which keeps it at about one batch.
type checkpointer struct {
	db     *sql.DB
	nudge  chan struct{}
	cancel context.CancelFunc
	done   sync.WaitGroup
}

// startCheckpointer runs checkpoints on db (its own single connection)
// until stop.
func startCheckpointer(db *sql.DB) *checkpointer {
	ctx, cancel := context.WithCancel(context.Background())
	c := &checkpointer{db: db, nudge: make(chan struct{}, 1), cancel: cancel}
	c.done.Add(1)
	go c.loop(ctx)
	return c
}

// request asks for a checkpoint soon; it never blocks.
func (c *checkpointer) request() {
	select {
	case c.nudge <- struct{}{}:
	default:
	}
}

func (c *checkpointer) loop(ctx context.Context) {
	defer c.done.Done()
	for {
		select {
		case <-ctx.Done():
			return
		case <-c.nudge:
		}
		// A failure (a busy file, a closing store) is left for the next
		// nudge or the writer's backstop autocheckpoint: nothing is lost,
		// the WAL only stays longer.
		_, _ = c.db.ExecContext(ctx, "PRAGMA wal_checkpoint(PASSIVE)")
	}
}

// stop ends the loop (after the checkpoint in progress) and closes db.
func (c *checkpointer) stop() error {
	c.cancel()
	c.done.Wait()
	return c.db.Close()
}
