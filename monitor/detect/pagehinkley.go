package detect

import (
	"encoding/json"
	"fmt"
	"math"
)

// Mode says which direction of change Page-Hinkley looks for.
type Mode string

// The Page-Hinkley modes, as River's mode parameter.
const (
	ModeUp   Mode = "up"
	ModeDown Mode = "down"
	ModeBoth Mode = "both"
)

// PageHinkleyConfig holds the parameters of a Page-Hinkley detector; the
// zero value of a field is not a default: start from DefaultPageHinkley.
type PageHinkleyConfig struct {
	// MinInstances is the number of values before a detection may fire.
	MinInstances int `json:"min_instances"`
	// Delta is the magnitude of change tolerated per value.
	Delta float64 `json:"delta"`
	// Threshold is the detection threshold (lambda), in the values' unit.
	Threshold float64 `json:"threshold"`
	// Alpha is the forgetting factor applied to the cumulative sums.
	Alpha float64 `json:"alpha"`
	// Mode selects increases, decreases or both.
	Mode Mode `json:"mode"`
}

// DefaultPageHinkley returns River's defaults: min_instances 30, delta
// 0.005, threshold 50, alpha 1-0.0001, mode "both".
func DefaultPageHinkley() PageHinkleyConfig {
	return PageHinkleyConfig{MinInstances: 30, Delta: 0.005, Threshold: 50, Alpha: 1 - 0.0001, Mode: ModeBoth}
}

// Validate reports a parameter out of range.
func (c PageHinkleyConfig) Validate() error {
	switch {
	case c.MinInstances < 1:
		return fmt.Errorf("page_hinkley: min_instances %d must be at least 1", c.MinInstances)
	case !(c.Delta >= 0) || math.IsInf(c.Delta, 0):
		return fmt.Errorf("page_hinkley: delta %v must be finite and >= 0", c.Delta)
	case !(c.Threshold > 0) || math.IsInf(c.Threshold, 0):
		return fmt.Errorf("page_hinkley: threshold %v must be finite and > 0", c.Threshold)
	case !(c.Alpha > 0 && c.Alpha <= 1):
		return fmt.Errorf("page_hinkley: alpha %v must be in (0, 1]", c.Alpha)
	case c.Mode != ModeUp && c.Mode != ModeDown && c.Mode != ModeBoth:
		return fmt.Errorf("page_hinkley: mode %q must be up, down or both", c.Mode)
	}
	return nil
}

// PageHinkley is the Page-Hinkley test (E. S. Page, "Continuous Inspection
// Schemes", Biometrika 41, 1954) in the two-sided form of River's
// drift.PageHinkley (after Sebastião & Fernandes, 2017). For each value x:
//
//	n += 1;  mean += (1/n)·(x − mean)            (river.stats.Mean)
//	dev = x − mean
//	sumInc = alpha·sumInc + dev − delta;  minInc = min(minInc, sumInc)
//	sumDec = alpha·sumDec + dev + delta;  maxDec = max(maxDec, sumDec)
//	if n ≥ min_instances:
//	    drift = (sumInc − minInc > threshold)   [up, both]
//	         or (maxDec − sumDec > threshold)   [down, both]
//
// The state starts with minInc = +Inf and maxDec = −1 (River's initial
// values), and the first value after a detection resets it before being
// added. The threshold is in the values' unit, so River's 50 suits values
// whose noise is a few units; see docs/monitoring.md.
//
// Deviations from River: non-finite values are ignored and counted (River
// would fold a NaN in and stay NaN), and the lifetime counters Seen, Ignored
// and Detections are kept across resets.
type PageHinkley struct {
	cfg    PageHinkleyConfig
	n      int64
	mean   float64
	sumInc float64
	sumDec float64
	minInc float64
	maxDec float64
	drift  bool
	count  counters
}

// NewPageHinkley returns a Page-Hinkley detector, or the configuration's
// error.
func NewPageHinkley(cfg PageHinkleyConfig) (*PageHinkley, error) {
	if err := cfg.Validate(); err != nil {
		return nil, err
	}
	p := &PageHinkley{cfg: cfg}
	p.reset()
	return p, nil
}

// reset starts a new run, as River's _reset.
func (p *PageHinkley) reset() {
	p.n, p.mean = 0, 0
	p.sumInc, p.sumDec = 0, 0
	p.minInc, p.maxDec = math.Inf(1), -1
	p.drift = false
}

// Kind reports KindPageHinkley.
func (p *PageHinkley) Kind() Kind { return KindPageHinkley }

// Config returns the detector's parameters.
func (p *PageHinkley) Config() PageHinkleyConfig { return p.cfg }

// Update adds x and reports whether it completed a detection.
func (p *PageHinkley) Update(x float64) bool {
	if !accept(x) {
		p.count.Ignored++
		return false
	}
	if p.drift {
		p.reset()
	}
	p.count.Seen++
	p.n++
	// The explicit conversions keep the compiler from fusing a multiply
	// and an add, so results equal Python's operation by operation.
	p.mean += float64(1 / float64(p.n) * (x - p.mean))
	dev := x - p.mean
	p.sumInc = float64(p.cfg.Alpha*p.sumInc) + dev - p.cfg.Delta
	p.sumDec = float64(p.cfg.Alpha*p.sumDec) + dev + p.cfg.Delta
	if p.sumInc < p.minInc {
		p.minInc = p.sumInc
	}
	if p.sumDec > p.maxDec {
		p.maxDec = p.sumDec
	}
	if p.n >= int64(p.cfg.MinInstances) {
		up, down := p.Statistics()
		switch p.cfg.Mode {
		case ModeUp:
			p.drift = up > p.cfg.Threshold
		case ModeDown:
			p.drift = down > p.cfg.Threshold
		default:
			p.drift = up > p.cfg.Threshold || down > p.cfg.Threshold
		}
		if p.drift {
			p.count.Detections++
		}
	}
	return p.drift
}

// Statistics returns the two test statistics compared with the threshold:
// sumInc − minInc (an increase) and maxDec − sumDec (a decrease). Both are
// 0 before the first value.
func (p *PageHinkley) Statistics() (up, down float64) {
	if p.n == 0 {
		return 0, 0
	}
	return p.sumInc - p.minInc, p.maxDec - p.sumDec
}

// Mean is the running mean of the values since the last reset.
func (p *PageHinkley) Mean() float64 { return p.mean }

// N is the number of values since the last reset.
func (p *PageHinkley) N() int64 { return p.n }

// Drift reports whether the last accepted value completed a detection.
func (p *PageHinkley) Drift() bool { return p.drift }

// Seen is the number of values accepted since construction.
func (p *PageHinkley) Seen() int64 { return p.count.Seen }

// Ignored is the number of values ignored since construction.
func (p *PageHinkley) Ignored() int64 { return p.count.Ignored }

// Detections is the number of detections since construction.
func (p *PageHinkley) Detections() int64 { return p.count.Detections }

// phState is the encoded form of a PageHinkley. MinInc is null while it is
// +Inf (no value since the last reset).
type phState struct {
	envelope
	Config PageHinkleyConfig `json:"config"`
	N      int64             `json:"n"`
	Mean   float64           `json:"mean"`
	SumInc float64           `json:"sum_inc"`
	SumDec float64           `json:"sum_dec"`
	MinInc *float64          `json:"min_inc"`
	MaxDec float64           `json:"max_dec"`
	Drift  bool              `json:"drift"`
	counters
}

// MarshalJSON encodes the full state; floats are written in the shortest
// form that reads back to the same bits.
func (p *PageHinkley) MarshalJSON() ([]byte, error) {
	s := phState{
		envelope: envelope{Kind: KindPageHinkley, Version: stateVersion},
		Config:   p.cfg, N: p.n, Mean: p.mean, SumInc: p.sumInc, SumDec: p.sumDec,
		MaxDec: p.maxDec, Drift: p.drift, counters: p.count,
	}
	if !math.IsInf(p.minInc, 1) {
		m := p.minInc
		s.MinInc = &m
	}
	return json.Marshal(s)
}

// UnmarshalJSON replaces the state with one MarshalJSON wrote; on error the
// detector is unchanged.
func (p *PageHinkley) UnmarshalJSON(data []byte) error {
	var s phState
	if err := json.Unmarshal(data, &s); err != nil {
		return fmt.Errorf("%w: %v", ErrState, err)
	}
	if err := checkEnvelope(s.envelope, KindPageHinkley); err != nil {
		return err
	}
	if err := s.Config.Validate(); err != nil {
		return fmt.Errorf("%w: %v", ErrState, err)
	}
	if s.N < 0 || s.Seen < 0 || s.Ignored < 0 || s.Detections < 0 {
		return fmt.Errorf("%w: negative count", ErrState)
	}
	minInc := math.Inf(1)
	if s.MinInc != nil {
		minInc = *s.MinInc
	} else if s.N > 0 {
		return fmt.Errorf("%w: min_inc missing after %d values", ErrState, s.N)
	}
	if err := finite([]string{"mean", "sum_inc", "sum_dec", "max_dec"}, s.Mean, s.SumInc, s.SumDec, s.MaxDec); err != nil {
		return err
	}
	*p = PageHinkley{
		cfg: s.Config, n: s.N, mean: s.Mean, sumInc: s.SumInc, sumDec: s.SumDec,
		minInc: minInc, maxDec: s.MaxDec, drift: s.Drift, count: s.counters,
	}
	return nil
}
