package detect

import (
	"encoding/json"
	"fmt"
	"math"
	"slices"
)

// KindScaled names a Scaled detector's encoded state; Scaled.Kind reports
// the kind of the detector it wraps.
const KindScaled Kind = "scaled"

// ScaledConfig holds the parameters of a Scaled wrapper.
type ScaledConfig struct {
	// Warmup is the number of values the scale is learnt from.
	Warmup int `json:"warmup"`
	// Clip bounds the standardised values to ±Clip (0: no clipping).
	Clip float64 `json:"clip"`
}

// DefaultScaled returns a 30-value warm-up (Page-Hinkley's min_instances)
// and clipping at ±4 robust standard deviations.
func DefaultScaled() ScaledConfig { return ScaledConfig{Warmup: 30, Clip: 4} }

// Validate reports a parameter out of range.
func (c ScaledConfig) Validate() error {
	switch {
	case c.Warmup < 3 || c.Warmup > 10000:
		return fmt.Errorf("scaled: warmup %d must be in [3, 10000]", c.Warmup)
	case !(c.Clip >= 0) || math.IsInf(c.Clip, 0):
		return fmt.Errorf("scaled: clip %v must be finite and >= 0", c.Clip)
	}
	return nil
}

// Scaled feeds a detector standardised values: z = (x − median)/scale,
// clipped to ±Clip, where median and scale (the median absolute deviation
// times 1.4826, a robust standard deviation) are learnt from the first
// Warmup values and then kept. It is not part of River: River's
// Page-Hinkley threshold (50) is in the values' own unit, so on raw latency
// with a noise of a few milliseconds it fires every few dozen values, and
// heavy tails push both detectors' sums around. In units of the noise's
// robust standard deviation, with spikes clipped, the thresholds mean the
// same thing for every metric. The warm-up values are replayed into the
// wrapped detector once the scale is known, so no value is lost.
//
// A zero MAD (a constant warm-up) falls back to the mean absolute deviation,
// then to 1e-9·max(1, |median|), so a later change still registers.
type Scaled struct {
	cfg    ScaledConfig
	inner  Detector
	warm   []float64
	median float64
	scale  float64
	drift  bool
	count  counters
}

// NewScaled wraps d, which should be fresh.
func NewScaled(cfg ScaledConfig, d Detector) (*Scaled, error) {
	if err := cfg.Validate(); err != nil {
		return nil, err
	}
	if d == nil {
		return nil, fmt.Errorf("scaled: no detector to wrap")
	}
	return &Scaled{cfg: cfg, inner: d, warm: make([]float64, 0, cfg.Warmup)}, nil
}

// Kind reports the wrapped detector's kind.
func (s *Scaled) Kind() Kind { return s.inner.Kind() }

// Inner returns the wrapped detector.
func (s *Scaled) Inner() Detector { return s.inner }

// Scale returns the learnt median and scale; ok is false during the
// warm-up.
func (s *Scaled) Scale() (median, scale float64, ok bool) {
	return s.median, s.scale, s.scale > 0
}

// Update adds x and reports whether it completed a detection.
func (s *Scaled) Update(x float64) bool {
	if !accept(x) {
		s.count.Ignored++
		return false
	}
	s.count.Seen++
	if s.scale == 0 {
		s.warm = append(s.warm, x)
		if len(s.warm) < s.cfg.Warmup {
			s.drift = false
			return false
		}
		s.learn()
		s.drift = false
		for _, w := range s.warm {
			s.drift = s.feed(w)
			if s.drift {
				s.count.Detections++
			}
		}
		s.warm = s.warm[:0]
		return s.drift
	}
	s.drift = s.feed(x)
	if s.drift {
		s.count.Detections++
	}
	return s.drift
}

// feed passes the standardised x to the wrapped detector.
func (s *Scaled) feed(x float64) bool {
	z := (x - s.median) / s.scale
	if s.cfg.Clip > 0 {
		z = math.Max(-s.cfg.Clip, math.Min(s.cfg.Clip, z))
	}
	return s.inner.Update(z)
}

// learn sets the median and scale from the warm-up values.
func (s *Scaled) learn() {
	v := slices.Clone(s.warm)
	s.median = median(v)
	dev := make([]float64, len(v))
	sum := 0.0
	for i, x := range v {
		dev[i] = math.Abs(x - s.median)
		sum += dev[i]
	}
	s.scale = 1.4826 * median(dev)
	if s.scale == 0 {
		s.scale = 1.2533 * sum / float64(len(dev)) // mean absolute deviation → σ
	}
	if s.scale == 0 {
		s.scale = 1e-9 * math.Max(1, math.Abs(s.median))
	}
}

// median sorts v and returns its median.
func median(v []float64) float64 {
	slices.Sort(v)
	n := len(v)
	if n%2 == 1 {
		return v[n/2]
	}
	return (v[n/2-1] + v[n/2]) / 2
}

// Drift reports whether the last accepted value completed a detection.
func (s *Scaled) Drift() bool { return s.drift }

// Seen is the number of values accepted since construction.
func (s *Scaled) Seen() int64 { return s.count.Seen }

// Ignored is the number of values ignored since construction.
func (s *Scaled) Ignored() int64 { return s.count.Ignored }

// Detections is the number of detections since construction.
func (s *Scaled) Detections() int64 { return s.count.Detections }

// scaledState is the encoded form of a Scaled.
type scaledState struct {
	envelope
	Config ScaledConfig    `json:"config"`
	Warm   []float64       `json:"warm,omitempty"`
	Median float64         `json:"median"`
	Scale  float64         `json:"scale"`
	Drift  bool            `json:"drift"`
	Inner  json.RawMessage `json:"inner"`
	counters
}

// MarshalJSON encodes the wrapper's state and the wrapped detector's.
func (s *Scaled) MarshalJSON() ([]byte, error) {
	inner, err := s.inner.MarshalJSON()
	if err != nil {
		return nil, err
	}
	return json.Marshal(scaledState{
		envelope: envelope{Kind: KindScaled, Version: stateVersion},
		Config:   s.cfg, Warm: s.warm, Median: s.median, Scale: s.scale,
		Drift: s.drift, Inner: inner, counters: s.count,
	})
}

// UnmarshalJSON replaces the state with one MarshalJSON wrote; on error the
// detector is unchanged.
func (s *Scaled) UnmarshalJSON(data []byte) error {
	var st scaledState
	if err := json.Unmarshal(data, &st); err != nil {
		return fmt.Errorf("%w: %v", ErrState, err)
	}
	if err := checkEnvelope(st.envelope, KindScaled); err != nil {
		return err
	}
	if err := st.Config.Validate(); err != nil {
		return fmt.Errorf("%w: %v", ErrState, err)
	}
	if len(st.Warm) >= st.Config.Warmup || (st.Scale != 0 && len(st.Warm) > 0) {
		return fmt.Errorf("%w: %d warm-up values with warmup %d", ErrState, len(st.Warm), st.Config.Warmup)
	}
	if !(st.Scale >= 0) {
		return fmt.Errorf("%w: scale %v", ErrState, st.Scale)
	}
	if err := finite([]string{"median", "scale"}, st.Median, st.Scale); err != nil {
		return err
	}
	for _, w := range st.Warm {
		if !accept(w) {
			return fmt.Errorf("%w: warm-up value %v", ErrState, w)
		}
	}
	if st.Seen < 0 || st.Ignored < 0 || st.Detections < 0 {
		return fmt.Errorf("%w: negative count", ErrState)
	}
	inner, err := Restore(st.Inner)
	if err != nil {
		return err
	}
	if _, nested := inner.(*Scaled); nested {
		return fmt.Errorf("%w: nested scaled detector", ErrState)
	}
	warm := make([]float64, len(st.Warm), st.Config.Warmup)
	copy(warm, st.Warm)
	*s = Scaled{cfg: st.Config, inner: inner, warm: warm, median: st.Median, scale: st.Scale,
		drift: st.Drift, count: st.counters}
	return nil
}
