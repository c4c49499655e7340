package detect

import (
	"encoding/json"
	"fmt"
	"math"
)

// adwinState is the encoded form of an ADWIN: rows from the newest (size
// 1) to the oldest, each a list of [total, variance] buckets, oldest first.
type adwinState struct {
	envelope
	Config   ADWINConfig    `json:"config"`
	Width    float64        `json:"width"`
	Total    float64        `json:"total"`
	Variance float64        `json:"variance"`
	Tick     int64          `json:"tick"`
	Drift    bool           `json:"drift"`
	Rows     [][][2]float64 `json:"rows"`
	counters
}

// MarshalJSON encodes the full state; floats are written in the shortest
// form that reads back to the same bits. The size is about 40 bytes per
// bucket, and a window of W values has at most MaxBuckets·log2(W) buckets.
func (a *ADWIN) MarshalJSON() ([]byte, error) {
	s := adwinState{
		envelope: envelope{Kind: KindADWIN, Version: stateVersion},
		Config:   a.cfg, Width: a.width, Total: a.total, Variance: a.variance,
		Tick: a.tick, Drift: a.drift, Rows: make([][][2]float64, len(a.rows)),
		counters: a.count,
	}
	for i := range a.rows {
		r := &a.rows[i]
		s.Rows[i] = make([][2]float64, r.n)
		for k := 0; k < r.n; k++ {
			s.Rows[i][k] = [2]float64{r.total[k], r.variance[k]}
		}
	}
	return json.Marshal(s)
}

// UnmarshalJSON replaces the state with one MarshalJSON wrote; on error the
// detector is unchanged.
func (a *ADWIN) UnmarshalJSON(data []byte) error {
	var s adwinState
	if err := json.Unmarshal(data, &s); err != nil {
		return fmt.Errorf("%w: %v", ErrState, err)
	}
	if err := checkEnvelope(s.envelope, KindADWIN); err != nil {
		return err
	}
	if err := s.Config.Validate(); err != nil {
		return fmt.Errorf("%w: %v", ErrState, err)
	}
	if s.Tick < 0 || s.Seen < 0 || s.Ignored < 0 || s.Detections < 0 {
		return fmt.Errorf("%w: negative count", ErrState)
	}
	if err := finite([]string{"width", "total", "variance"}, s.Width, s.Total, s.Variance); err != nil {
		return err
	}
	if len(s.Rows) == 0 || len(s.Rows) > 62 {
		return fmt.Errorf("%w: %d bucket rows", ErrState, len(s.Rows))
	}
	width := 0.0
	for i, row := range s.Rows {
		if len(row) > s.Config.MaxBuckets || (len(row) == 0 && i > 0) {
			return fmt.Errorf("%w: row %d has %d buckets (max_buckets %d)", ErrState, i, len(row), s.Config.MaxBuckets)
		}
		for _, b := range row {
			if err := finite([]string{"bucket total", "bucket variance"}, b[0], b[1]); err != nil {
				return err
			}
		}
		width += float64(len(row)) * math.Ldexp(1, i)
	}
	if width != s.Width {
		return fmt.Errorf("%w: width %v but buckets hold %v values", ErrState, s.Width, width)
	}
	r := ADWIN{cfg: s.Config, width: s.Width, total: s.Total, variance: s.Variance,
		tick: s.Tick, drift: s.Drift, count: s.counters}
	for i, row := range s.Rows {
		r.addRow()
		for _, b := range row {
			r.rows[i].push(b[0], b[1])
		}
	}
	*a = r
	return nil
}
