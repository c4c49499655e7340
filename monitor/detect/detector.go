package detect

import (
	"encoding/json"
	"errors"
	"fmt"
	"math"
)

// Kind names a detector type in configuration and in stored state.
type Kind string

// The detector kinds.
const (
	KindPageHinkley Kind = "page_hinkley"
	KindADWIN       Kind = "adwin"
)

// MaxAbs is the largest magnitude a value may have to be accepted. Larger
// finite values are ignored like NaN and infinities, so that sums of squares
// stay finite; monitoring values (milliseconds, rates) are far below it.
const MaxAbs = 1e100

// Detector is a streaming change detector fed one value at a time.
type Detector interface {
	// Kind reports the detector's type.
	Kind() Kind
	// Update adds one value and reports whether it completed a detection.
	// An ignored value (NaN, ±Inf, |x| > MaxAbs) returns false and changes
	// nothing but the ignored count.
	Update(x float64) bool
	// Drift reports whether the last accepted value completed a detection.
	Drift() bool
	// Seen is the number of values accepted since construction, across
	// resets and restarts.
	Seen() int64
	// Ignored is the number of values ignored since construction.
	Ignored() int64
	// Detections is the number of detections since construction.
	Detections() int64
	// MarshalJSON encodes the full state.
	MarshalJSON() ([]byte, error)
	// UnmarshalJSON replaces the state with an encoded one.
	UnmarshalJSON(data []byte) error
}

// accept reports whether x may enter a detector's state.
func accept(x float64) bool {
	return !math.IsNaN(x) && math.Abs(x) <= MaxAbs
}

// counters are the lifetime counts every detector keeps.
type counters struct {
	Seen       int64 `json:"seen"`
	Ignored    int64 `json:"ignored"`
	Detections int64 `json:"detections"`
}

// envelope is the part of an encoded state that names its kind.
type envelope struct {
	Kind    Kind `json:"kind"`
	Version int  `json:"v"`
}

// stateVersion is the version written into encoded states.
const stateVersion = 1

// ErrState reports an encoded state that cannot be restored.
var ErrState = errors.New("detect: bad detector state")

// Restore rebuilds a detector of any kind from the encoding MarshalJSON
// produced.
func Restore(data []byte) (Detector, error) {
	var e envelope
	if err := json.Unmarshal(data, &e); err != nil {
		return nil, fmt.Errorf("%w: %v", ErrState, err)
	}
	var d Detector
	switch e.Kind {
	case KindPageHinkley:
		d = &PageHinkley{}
	case KindADWIN:
		d = &ADWIN{}
	case KindScaled:
		d = &Scaled{}
	default:
		return nil, fmt.Errorf("%w: unknown kind %q", ErrState, e.Kind)
	}
	if err := d.UnmarshalJSON(data); err != nil {
		return nil, err
	}
	return d, nil
}

// checkEnvelope validates the kind and version of a decoded state.
func checkEnvelope(e envelope, want Kind) error {
	if e.Kind != want {
		return fmt.Errorf("%w: kind %q, want %q", ErrState, e.Kind, want)
	}
	if e.Version != stateVersion {
		return fmt.Errorf("%w: version %d, want %d", ErrState, e.Version, stateVersion)
	}
	return nil
}

// finite reports an error naming the first non-finite value in vs.
func finite(names []string, vs ...float64) error {
	for i, v := range vs {
		if math.IsNaN(v) || math.IsInf(v, 0) {
			return fmt.Errorf("%w: %s is not finite", ErrState, names[i])
		}
	}
	return nil
}
