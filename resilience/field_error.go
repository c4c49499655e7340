package resilience

import (
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"
)

// FieldError is one setting of a BreakerConfig or RetryConfig that is out of
// range. Validate returns every one it finds, joined with errors.Join, so
// that errors.As (or an Unwrap() []error walk) finds each: a caller that
// read the settings from a file can report each at the key it came from.
type FieldError struct {
	// Field is the Go name of the setting: "FailureRate".
	Field string
	// Other names the setting Field was checked against, for a rule
	// between two settings (MaxOpenFor >= OpenFor); empty otherwise.
	Other string
	// text is the message, with otherMark where Other's name goes.
	text string
}

// otherMark stands for the name of the other field in a message.
const otherMark = "\x00"

// Error returns "Field: message", naming fields by their Go names.
func (e *FieldError) Error() string { return e.Field + ": " + e.Message(nil) }

// Message says what is wrong without the field's own name, naming the other
// field of a rule between two with name (nil: its Go name), for a caller
// that spells fields differently ("max_open_for: must be >= open_for ...").
func (e *FieldError) Message(name func(field string) string) string {
	other := e.Other
	if name != nil && other != "" {
		other = name(other)
	}
	return strings.ReplaceAll(e.text, otherMark, other)
}

// fieldChecker collects FieldErrors. A field listed in set was set on
// purpose: its zero, which otherwise means "the default" or "off", is out of
// range too (min_calls: 0 in a file is a mistake, not a request for the
// default).
type fieldChecker struct {
	set  []string
	errs []error
	bad  map[string]bool
}

// fail records that field is out of range.
func (c *fieldChecker) fail(field, format string, args ...any) {
	c.failPair(field, "", format, args...)
}

// failPair records that field breaks a rule it shares with other; format
// names other as otherMark.
func (c *fieldChecker) failPair(field, other, format string, args ...any) {
	if c.bad == nil {
		c.bad = map[string]bool{}
	}
	c.bad[field] = true
	c.errs = append(c.errs, &FieldError{Field: field, Other: other, text: fmt.Sprintf(format, args...)})
}

// explicit reports whether field was set on purpose.
func (c *fieldChecker) explicit(field string) bool { return slices.Contains(c.set, field) }

// failed reports whether any of fields was already reported: a rule between
// two fields is checked only on values that are in range.
func (c *fieldChecker) failed(fields ...string) bool {
	return slices.ContainsFunc(fields, func(f string) bool { return c.bad[f] })
}

// rate checks a rate in (0,1]; zero means off.
func (c *fieldChecker) rate(field string, r float64) {
	if (r != 0 || c.explicit(field)) && !(r > 0 && r <= 1) {
		c.fail(field, "must be in (0,1], got %g", r)
	}
}

// count checks a count >= 1; zero means the default.
func (c *fieldChecker) count(field string, n int) {
	if n < 0 || (n == 0 && c.explicit(field)) {
		c.fail(field, "must be >= 1, got %d", n)
	}
}

// duration checks a duration > 0; zero means the default.
func (c *fieldChecker) duration(field string, d time.Duration) {
	if d < 0 || (d == 0 && c.explicit(field)) {
		c.fail(field, "must be > 0, got %s", d)
	}
}

// durationOrOff checks a duration >= 0, where zero turns something off.
func (c *fieldChecker) durationOrOff(field string, d time.Duration) {
	if d < 0 {
		c.fail(field, "must be >= 0, got %s", d)
	}
}

// factor checks a multiplier >= 1; zero means the default.
func (c *fieldChecker) factor(field string, f float64) {
	if (f != 0 || c.explicit(field)) && !(f >= 1) {
		c.fail(field, "must be >= 1, got %g", f)
	}
}

// between checks an integer in [lo,hi]; zero means the default.
func (c *fieldChecker) between(field string, n, lo, hi int) {
	if (n != 0 || c.explicit(field)) && (n < lo || n > hi) {
		c.fail(field, "must be in [%d,%d], got %d", lo, hi, n)
	}
}

// result returns the errors joined with errors.Join, or nil.
func (c *fieldChecker) result() error { return errors.Join(c.errs...) }
