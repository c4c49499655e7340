package gateway

import (
	"bufio"
	"io"
	"sync"
)

// maxPooledEvent bounds the event buffer kept for reuse: a stream that
// relayed a huge event gives its buffer back to the garbage collector.
const maxPooledEvent = 64 << 10

// streamBuffers are the reader a relayed stream is read through and the
// buffer its events are assembled in, reused from stream to stream so that
// each one does not allocate (and the collector scan) 4.5 KiB anew.
type streamBuffers struct {
	reader *bufio.Reader
	event  []byte
}

// streamPool hands out streamBuffers. Its zero value is ready to use.
type streamPool struct{ pool sync.Pool }

// get returns buffers whose reader reads body.
func (p *streamPool) get(body io.Reader) *streamBuffers {
	if sb, ok := p.pool.Get().(*streamBuffers); ok {
		sb.reader.Reset(body)
		return sb
	}
	return &streamBuffers{reader: bufio.NewReaderSize(body, streamReaderSize), event: make([]byte, 0, eventBufferSize)}
}

// put takes back buffers no longer used, with event the last use of
// their event buffer (it may have grown).
func (p *streamPool) put(sb *streamBuffers, event []byte) {
	sb.reader.Reset(nil) // drop the body: it holds the backend connection
	if cap(event) > maxPooledEvent {
		event = make([]byte, 0, eventBufferSize)
	}
	sb.event = event[:0]
	p.pool.Put(sb)
}
