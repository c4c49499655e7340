package simulate

import (
	"net"
	"net/http"
)

// abortConn ends the connection under w without a proper HTTP ending: it
// takes the connection over and closes it, with a TCP reset (SO_LINGER 0)
// when rst is set. Anything w buffered must have been flushed. Where the
// connection cannot be taken over (HTTP/2), it aborts the handler, which
// resets the stream.
func abortConn(w http.ResponseWriter, rst bool) {
	conn, _, err := http.NewResponseController(w).Hijack()
	if err != nil {
		panic(http.ErrAbortHandler)
	}
	if rst {
		if tc, ok := underlying(conn).(*net.TCPConn); ok {
			_ = tc.SetLinger(0)
		}
	}
	_ = conn.Close()
}

// underlying unwraps a TLS connection to its network connection.
func underlying(c net.Conn) net.Conn {
	if u, ok := c.(interface{ NetConn() net.Conn }); ok {
		return u.NetConn()
	}
	return c
}

// giveUp ends a request whose context ended before its answer was finished
// (the client went away, or the server is stopping): it counts a
// cancellation and closes the connection, so that a client still there
// sees a broken answer rather than an empty 200.
func (s *Server) giveUp(w http.ResponseWriter) {
	s.stats.add(&s.stats.cancellations, 1)
	abortConn(w, false)
}
