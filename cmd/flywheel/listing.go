package main

import (
	"encoding/json"
	"fmt"
	"io"
	"time"
)

// listFlags are the flags every store listing (inferences list, feedback
// list) shares besides its filters.
type listFlags struct {
	since  time.Duration
	asJSON bool
}

// sinceTime turns --since into the query's lower bound; zero when unset.
func (l listFlags) sinceTime() (time.Time, error) {
	if l.since < 0 {
		return time.Time{}, fmt.Errorf("--since must be a positive duration like 1h, got %s", l.since)
	}
	if l.since == 0 {
		return time.Time{}, nil
	}
	return time.Now().Add(-l.since), nil
}

// writePage prints one page of a listing: one JSON object per line with
// --json, else the table and, when more follow, the flag that continues it.
func writePage[T any](w io.Writer, l listFlags, items []T, nextCursor string, table func(io.Writer, []T)) error {
	if l.asJSON {
		return writeJSONLines(w, items)
	}
	table(w, items)
	if nextCursor != "" {
		fmt.Fprintf(w, "(more: --cursor %s)\n", nextCursor)
	}
	return nil
}

func writeJSONLines[T any](w io.Writer, items []T) error {
	enc := json.NewEncoder(w)
	for _, it := range items {
		if err := enc.Encode(it); err != nil {
			return err
		}
	}
	return nil
}
