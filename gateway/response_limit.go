package gateway

import (
	"errors"
	"strconv"
)

// errResponseTooLarge fails an attempt whose non-streamed answer is longer
// than maxResponseBody: the gateway buffers such answers, and one cut at
// the limit would reach the client as a 200 with broken JSON.
var errResponseTooLarge = errors.New("the backend's answer is larger than the " +
	strconv.Itoa(maxResponseBody>>20) + " MiB a non-streamed answer may have")
