package resilience

import "context"

// timeoutError is a timeout raised by a policy. It matches
// context.DeadlineExceeded, so a breaker counts it as a failure.
type timeoutError struct{ what string }

func (e timeoutError) Error() string { return e.what + " timed out" }

// Is makes errors.Is(err, context.DeadlineExceeded) true.
func (timeoutError) Is(target error) bool { return target == context.DeadlineExceeded }

// Timeout marks the error as a timeout for net.Error-style checks.
func (timeoutError) Timeout() bool { return true }

// ErrAttemptTimeout is the cause of a per-attempt timeout. It matches
// context.DeadlineExceeded.
var ErrAttemptTimeout error = timeoutError{"attempt"}

// ErrTimeout is the cause of a pipeline's overall timeout. It matches
// context.DeadlineExceeded.
var ErrTimeout error = timeoutError{"call"}
