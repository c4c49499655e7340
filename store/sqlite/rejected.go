package sqlite

import (
	"errors"
	"fmt"

	"github.com/flywheel-stack/flywheel/store"
)

// SQLite's primary result codes for a statement refused because of the
// values it carries (extended codes keep the primary one in the low byte).
const (
	codeTooBig     = 18 // SQLITE_TOOBIG: a string or blob over the length limit
	codeConstraint = 19 // SQLITE_CONSTRAINT
	codeMismatch   = 20 // SQLITE_MISMATCH: a datatype mismatch
)

// markRejected wraps err with store.ErrRejected when SQLite refused a row's
// values, rather than failing (a full disk, a busy file, an I/O error).
func markRejected(err error) error {
	var coded interface{ Code() int }
	if errors.As(err, &coded) {
		switch coded.Code() & 0xff {
		case codeTooBig, codeConstraint, codeMismatch:
			return fmt.Errorf("%w: %w", store.ErrRejected, err)
		}
	}
	return err
}

// checkBatch refuses a batch with a row no store keeps (store.CheckInference),
// before its transaction starts.
func (s *Store) checkBatch(batch []store.Inference) error {
	for i := range batch {
		if err := store.CheckInference(&batch[i]); err != nil {
			return fmt.Errorf("sqlite store %s: %w", s.path, err)
		}
	}
	return nil
}
