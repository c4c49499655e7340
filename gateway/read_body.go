package gateway

import (
	"errors"
	"io"
)

// streamReaderSize is the buffer a relayed stream is read through. SSE
// events are a few hundred bytes; a longer one is assembled across reads.
const streamReaderSize = 4 << 10

// eventBufferSize is the starting capacity of the buffer a stream's events
// are read into (and reused for each next event): a typical chat chunk
// fits, so it is allocated once instead of grown from nothing.
const eventBufferSize = 512

// readAll reads r to its end like io.ReadAll, but when size (a
// Content-Length, -1 when unknown) is known and within limit, it allocates
// the body once at its size instead of growing from 512 bytes. r must
// itself enforce limit (http.MaxBytesReader, io.LimitReader): a body longer
// than announced is still read whole, by growing.
func readAll(r io.Reader, size, limit int64) ([]byte, error) {
	if size < 0 || size > limit {
		return io.ReadAll(r)
	}
	b := make([]byte, 0, size+1) // +1: the read that finds EOF needs room
	for {
		n, err := r.Read(b[len(b):cap(b)])
		b = b[:len(b)+n]
		if err != nil {
			if errors.Is(err, io.EOF) {
				err = nil
			}
			return b, err
		}
		if len(b) == cap(b) {
			b = append(b, 0)[:len(b)] // longer than announced: grow
		}
	}
}
