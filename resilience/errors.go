package resilience

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"syscall"
	"time"
)

// ErrOpen is matched (errors.Is) by the error a breaker returns while open or
// forced open.
var ErrOpen = errors.New("circuit breaker is open")

// ErrTooManyCalls is matched by the error a half-open breaker returns to a
// caller beyond its trial permits.
var ErrTooManyCalls = errors.New("circuit breaker is half-open and has no free trial permit")

// RejectedError is the error a breaker returns when it does not admit a call.
// It matches ErrOpen or ErrTooManyCalls and carries the instant after which a
// new attempt makes sense.
type RejectedError struct {
	// Breaker is the name of the breaker that rejected the call.
	Breaker string
	// Reason is ErrOpen or ErrTooManyCalls.
	Reason error
	// Until is the instant after which a retry may be admitted. Zero when
	// unknown (forced open).
	Until time.Time
}

// Error describes the rejection.
func (e *RejectedError) Error() string {
	if e.Until.IsZero() {
		return fmt.Sprintf("%s: %v", e.Breaker, e.Reason)
	}
	return fmt.Sprintf("%s: %v until %s", e.Breaker, e.Reason, e.Until.UTC().Format(time.RFC3339Nano))
}

// Unwrap returns ErrOpen or ErrTooManyCalls.
func (e *RejectedError) Unwrap() error { return e.Reason }

// RetryAt returns the instant after which a retry may be admitted.
func (e *RejectedError) RetryAt() time.Time { return e.Until }

// IsRejected reports whether err is a breaker rejection.
func IsRejected(err error) bool {
	return errors.Is(err, ErrOpen) || errors.Is(err, ErrTooManyCalls)
}

// RetryAter is implemented by errors that know when a retry makes sense, such
// as a 429 with Retry-After or a breaker rejection.
type RetryAter interface {
	RetryAt() time.Time
}

// RetryAtOf returns the retry instant carried by err or anything it wraps.
func RetryAtOf(err error) (time.Time, bool) {
	var ra RetryAter
	if errors.As(err, &ra) {
		if t := ra.RetryAt(); !t.IsZero() {
			return t, true
		}
	}
	return time.Time{}, false
}

type permanentError struct{ err error }

func (e permanentError) Error() string { return e.err.Error() }
func (e permanentError) Unwrap() error { return e.err }

// Permanent marks err as not worth retrying: a retry stops at once.
func Permanent(err error) error {
	if err == nil {
		return nil
	}
	return permanentError{err}
}

// IsPermanent reports whether err was marked with Permanent.
func IsPermanent(err error) bool {
	var p permanentError
	return errors.As(err, &p)
}

type ignoredError struct{ err error }

func (e ignoredError) Error() string { return e.err.Error() }
func (e ignoredError) Unwrap() error { return e.err }

// Ignore marks err so that DefaultClassify counts it neither as success nor
// failure (for example a 4xx that says nothing about the dependency's health).
func Ignore(err error) error {
	if err == nil {
		return nil
	}
	return ignoredError{err}
}

// IsIgnored reports whether err was marked with Ignore.
func IsIgnored(err error) bool {
	var i ignoredError
	return errors.As(err, &i)
}

type afterFirstByteError struct{ err error }

func (e afterFirstByteError) Error() string { return e.err.Error() }
func (e afterFirstByteError) Unwrap() error { return e.err }

// AfterFirstByte marks err as raised after the first byte of a response was
// read: the request cannot be replayed without the caller seeing it twice,
// so the LLMInference preset never retries it.
func AfterFirstByte(err error) error {
	if err == nil {
		return nil
	}
	return afterFirstByteError{err}
}

// IsAfterFirstByte reports whether err was marked with AfterFirstByte.
func IsAfterFirstByte(err error) bool {
	var a afterFirstByteError
	return errors.As(err, &a)
}

// StatusError is an HTTP response status treated as an error. The
// RoundTripper returns it for the statuses it classifies as failures.
type StatusError struct {
	// Code is the HTTP status code.
	Code int
	// Status is the status line, e.g. "503 Service Unavailable".
	Status string
	// Until is the retry instant from Retry-After or x-ratelimit-reset-*
	// headers; zero when absent.
	Until time.Time
}

// Error returns the status line.
func (e *StatusError) Error() string { return "unexpected HTTP status " + e.Status }

// RetryAt returns the instant from the response's Retry-After header.
func (e *StatusError) RetryAt() time.Time { return e.Until }

// IsTransient reports whether err looks like a failure that a later attempt
// could avoid: a connection error, a timeout, or an HTTP 429, 502, 503 or 504.
// A permanent error and a caller's cancellation are not transient.
func IsTransient(err error) bool {
	if err == nil || IsPermanent(err) || errors.Is(err, context.Canceled) {
		return false
	}
	var se *StatusError
	if errors.As(err, &se) {
		switch se.Code {
		case 429, 502, 503, 504:
			return true
		}
		return false
	}
	if errors.Is(err, context.DeadlineExceeded) || IsRejected(err) {
		return true
	}
	var ne net.Error
	if errors.As(err, &ne) {
		return true
	}
	return errors.Is(err, io.ErrUnexpectedEOF) || errors.Is(err, syscall.ECONNRESET) ||
		errors.Is(err, syscall.ECONNREFUSED) || errors.Is(err, syscall.EPIPE)
}
