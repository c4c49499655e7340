package postgres

import (
	"errors"
	"io"
	"net"
	"syscall"
)

// isNetError reports whether err comes from the network: a refused or
// reset connection, a closed socket, an unexpected end of stream.
func isNetError(err error) bool {
	var ne net.Error
	return errors.As(err, &ne) || errors.Is(err, io.EOF) || errors.Is(err, io.ErrUnexpectedEOF) ||
		errors.Is(err, syscall.ECONNREFUSED) || errors.Is(err, syscall.ECONNRESET) || errors.Is(err, syscall.EPIPE) ||
		errors.Is(err, net.ErrClosed)
}
