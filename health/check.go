package health

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"
)

// Defaults for the Check and Options fields left at zero.
const (
	// DefaultTimeout bounds one run of a check.
	DefaultTimeout = 5 * time.Second
	// DefaultInterval is how often a check runs in the background.
	DefaultInterval = 10 * time.Second
)

// CheckFunc runs one check. It must honour ctx, which carries the check's
// timeout; the checker marks the check failed when the timeout passes even if
// the function has not returned.
type CheckFunc func(ctx context.Context) Result

// Check describes one named check. Only Name and Func are required; the other
// fields work at their zero value.
type Check struct {
	// Name identifies the check in probe listings, /readyz/NAME, reports and
	// metric labels. It must be unique and must not contain '/', '?' or
	// white space.
	Name string
	// Func runs the check.
	Func CheckFunc
	// Kind is the set of probes the check takes part in; zero means
	// Readiness.
	Kind Kind
	// ComponentType is the IETF componentType of the check, e.g.
	// "datastore", "component" or "system"; zero means "component".
	ComponentType string
	// Timeout bounds one run; zero means DefaultTimeout. It is a real-time
	// context deadline, so that drivers can set socket deadlines.
	Timeout time.Duration
	// Interval is the time between the end of one run and the start of the
	// next, measured on the checker's clock; zero means the checker's
	// interval.
	Interval time.Duration
	// NonCritical makes a failure of this check turn readiness to warn
	// (still 200) instead of fail. Checks are critical by default.
	NonCritical bool
	// WarnOnly caps the check at warn: a failed run, a timeout or a panic
	// included, is reported as warn. The performance probe and breaker
	// checks use it.
	WarnOnly bool
	// Weight is the check's weight in the composite score; zero means 1.
	// A negative weight leaves the check out of the score.
	Weight float64
	// FailureThreshold is how many consecutive failed runs it takes before
	// the check is reported failed. Zero means 1, unless FailAfter is set,
	// in which case only FailAfter applies. Until then the check keeps the
	// status it had before the failures began; a check that has never
	// passed or warned is reported failed from its first failed run.
	FailureThreshold int
	// FailAfter, when set, reports the check failed once it has been
	// failing continuously for this long (measured from the first failed
	// run). With FailureThreshold also set, whichever is reached first
	// applies.
	FailAfter time.Duration
}

// Result is what one run of a check returns. The zero Result is a pass.
type Result struct {
	// Status is the outcome; empty means StatusPass.
	Status Status
	// Output explains a warn or a fail (or adds a note to a pass). It is
	// redacted before it is stored.
	Output string
	// Measurements are observed values to report under /healthz. When
	// empty, the report shows one "NAME:responseTime" entry.
	Measurements []Measurement
}

// Measurement is one observed value of a check, reported under /healthz as
// "Component:Name".
type Measurement struct {
	// Component is the IETF componentId; empty means the check's name.
	Component string
	// Name is the IETF measurementName, e.g. "utilization".
	Name string
	// Type is the IETF componentType; empty means the check's.
	Type string
	// Value is the observedValue (a number, string or bool).
	Value any
	// Unit is the observedUnit, e.g. "%", "ms" or "bytes".
	Unit string
	// Status is this measurement's status; empty means the check's.
	Status Status
	// Output explains the measurement's status.
	Output string
}

// Passf returns a passing Result with an optional note.
func Passf(format string, args ...any) Result {
	return Result{Status: StatusPass, Output: fmt.Sprintf(format, args...)}
}

// Warnf returns a warning Result whose output is the formatted text.
func Warnf(format string, args ...any) Result {
	return Result{Status: StatusWarn, Output: fmt.Sprintf(format, args...)}
}

// Failf returns a failing Result whose output is the formatted text.
func Failf(format string, args ...any) Result {
	return Result{Status: StatusFail, Output: fmt.Sprintf(format, args...)}
}

// FromError returns a pass for a nil error and a fail with the error's text
// otherwise.
func FromError(err error) Result {
	if err == nil {
		return Result{Status: StatusPass}
	}
	return Result{Status: StatusFail, Output: err.Error()}
}

// Errors returned when a Check or the Checker is misused.
var (
	// ErrInvalidCheck reports a Check that cannot be registered.
	ErrInvalidCheck = errors.New("health: invalid check")
	// ErrStarted reports a call that is only allowed before Start, or a
	// second Start.
	ErrStarted = errors.New("health: checker already started")
)

// checkDef is a registered Check with its defaults applied.
type checkDef struct {
	Check
	idx       int
	weight    float64
	threshold int
}

// newCheckDef validates c and applies the defaults.
func newCheckDef(c Check, interval time.Duration) (*checkDef, error) {
	switch {
	case c.Name == "":
		return nil, fmt.Errorf("%w: empty name", ErrInvalidCheck)
	case strings.ContainsAny(c.Name, "/? \t\r\n"):
		return nil, fmt.Errorf("%w %q: name must not contain '/', '?' or white space", ErrInvalidCheck, c.Name)
	case c.Func == nil:
		return nil, fmt.Errorf("%w %q: nil Func", ErrInvalidCheck, c.Name)
	case c.Kind&^kindAll != 0:
		return nil, fmt.Errorf("%w %q: unknown kind bits %#x", ErrInvalidCheck, c.Name, uint8(c.Kind))
	case c.Timeout < 0 || c.Interval < 0 || c.FailAfter < 0 || c.FailureThreshold < 0:
		return nil, fmt.Errorf("%w %q: negative timeout, interval, threshold or fail-after", ErrInvalidCheck, c.Name)
	}
	if c.Kind == 0 {
		c.Kind = Readiness
	}
	if c.ComponentType == "" {
		c.ComponentType = "component"
	}
	if c.Timeout == 0 {
		c.Timeout = DefaultTimeout
	}
	if c.Interval == 0 {
		c.Interval = interval
	}
	d := &checkDef{Check: c, weight: c.Weight, threshold: c.FailureThreshold}
	if d.weight == 0 {
		d.weight = 1
	}
	if d.threshold == 0 && c.FailAfter == 0 {
		d.threshold = 1
	}
	return d, nil
}

// startupOnly reports whether the check takes part in startup and nothing
// else, so that it can stop running once startup has latched.
func (d *checkDef) startupOnly() bool { return d.Kind == Startup }
