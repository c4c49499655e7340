package simulate

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"time"
)

// faultsPatch is the body of POST /_sim/faults: every field optional, only
// the fields present change. ResetAll first restores the healthy state, then
// the other fields apply.
type faultsPatch struct {
	ResetAll        bool      `json:"reset_all"`
	ErrorRate       *float64  `json:"error_rate"`
	Status          *int      `json:"status"`
	RetryAfter      *int      `json:"retry_after"`
	Hang            *bool     `json:"hang"`
	Reset           *bool     `json:"reset"`
	CutAfterChunks  *int      `json:"cut_after_chunks"`
	BrokenAnswer    *string   `json:"broken_answer"`
	LoadingFor      *duration `json:"loading_for"`
	TTFT            *duration `json:"ttft"`
	TokensPerSecond *float64  `json:"tokens_per_second"`
	// LoadingUntil is accepted (so that the output of GET can be posted
	// back) and ignored.
	LoadingUntil json.RawMessage `json:"loading_until"`
}

// decodeFaultsPatch reads a patch, rejecting unknown fields so that a typo
// is an error rather than a fault silently not set.
func decodeFaultsPatch(body []byte) (faultsPatch, error) {
	var p faultsPatch
	if len(bytes.TrimSpace(body)) == 0 {
		return p, errors.New("empty body: want a JSON object of faults")
	}
	dec := json.NewDecoder(bytes.NewReader(body))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&p); err != nil {
		return p, fmt.Errorf("faults: %w", err)
	}
	if _, err := dec.Token(); err != io.EOF {
		return p, errors.New("faults: trailing data after the JSON object")
	}
	return p, nil
}

// apply returns f with the patch's fields set, and whether loading_for was
// given (and so restarts the loading period).
func (p faultsPatch) apply(f Faults) (Faults, bool) {
	setIf(&f.ErrorRate, p.ErrorRate)
	setIf(&f.Status, p.Status)
	setIf(&f.RetryAfter, p.RetryAfter)
	setIf(&f.CutAfterChunks, p.CutAfterChunks)
	setIf(&f.BrokenAnswer, p.BrokenAnswer)
	setIf(&f.Hang, p.Hang)
	setIf(&f.Reset, p.Reset)
	setIf(&f.TokensPerSecond, p.TokensPerSecond)
	if p.TTFT != nil {
		f.TTFT = time.Duration(*p.TTFT)
	}
	if p.LoadingFor != nil {
		f.LoadingFor = time.Duration(*p.LoadingFor)
	}
	return f, p.LoadingFor != nil
}

// setIf sets *dst to *src when the patch has the field (src is not nil).
func setIf[T any](dst, src *T) {
	if src != nil {
		*dst = *src
	}
}
