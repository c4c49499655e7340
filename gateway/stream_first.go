package gateway

import "bufio"

// readFirstEvent reads a stream's first event that carries data. Comment
// events (": keep-alive", ": PROCESSING") that a backend sends while it has
// no token yet are dropped: they must neither commit the gateway to the
// target, which would rule out the fallback, nor stop the first-token
// timer.
func readFirstEvent(r *bufio.Reader, buf []byte, limit int) ([]byte, error) {
	for {
		event, err := readEvent(r, buf[:0], limit)
		if err != nil || eventData(event) != nil {
			return event, err
		}
		buf = event
	}
}
