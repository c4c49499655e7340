package simulate

import (
	"errors"
	"io"
	"net/http"
)

var errTooLarge = errors.New("request body too large")

// readBody reads r's body into dst, refusing more than limit bytes. It
// grows dst once when the length is known.
func readBody(dst []byte, r *http.Request, limit int64) ([]byte, error) {
	if r.ContentLength > limit {
		return dst, errTooLarge
	}
	if need := len(dst) + int(r.ContentLength) + 1; r.ContentLength > 0 && cap(dst) < need {
		grown := make([]byte, len(dst), need)
		copy(grown, dst)
		dst = grown
	}
	for {
		if len(dst) == cap(dst) {
			dst = append(dst, 0)[:len(dst)]
		}
		n, err := r.Body.Read(dst[len(dst):cap(dst)])
		dst = dst[:len(dst)+n]
		if int64(len(dst)) > limit {
			return dst, errTooLarge
		}
		if err == io.EOF {
			return dst, nil
		}
		if err != nil {
			return dst, err
		}
	}
}
