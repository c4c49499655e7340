package simulate

import (
	"encoding/json"
	"fmt"
	"math"
	"time"
)

// Faults is what the simulator does wrong, and how fast it answers. The zero
// value answers every request at once and correctly. Over HTTP the same
// fields are the JSON object of /_sim/faults, named as in the json tags.
type Faults struct {
	// ErrorRate is the probability (0 to 1) that an API request is answered
	// with Status instead of a result. With Config.Seed set the sequence of
	// decisions is the same on every run.
	ErrorRate float64
	// Status is the HTTP status of an injected error, 400 to 599; 0 means
	// 500.
	Status int
	// RetryAfter, in whole seconds, is sent as a Retry-After header with
	// every 429 and 503 the simulator answers (injected or loading); 0
	// sends none.
	RetryAfter int
	// Hang accepts API requests and never answers them; each hung request
	// ends when its client goes away (and counts as a cancellation).
	Hang bool
	// Reset closes the connection of each API request abruptly, with a TCP
	// reset (SO_LINGER 0) where the connection allows it.
	Reset bool
	// CutAfterChunks, when positive, ends each stream abruptly after that
	// many SSE data events: no [DONE], no end of the chunked body, the
	// connection closed. A stream with fewer chunks ends normally.
	CutAfterChunks int
	// BrokenAnswer, when set, answers every API request (chat,
	// completions, embeddings; streamed or not) with a 200 that is not an
	// answer: BrokenTruncated (JSON cut halfway), BrokenHTML (an HTML error
	// page, as a proxy in front of a crashed server sends) or BrokenEmpty
	// (an empty body). "" answers properly.
	BrokenAnswer string
	// LoadingFor answers 503 "Loading model" (llama.cpp's shape) on /health
	// and on the API for that long from when it was set.
	LoadingFor time.Duration
	// TTFT is the time before the first streamed token, and before a
	// non-streaming answer.
	TTFT time.Duration
	// TokensPerSecond paces streams, one token per chunk; a non-streaming
	// answer waits as long as the stream's last token would. 0 means no
	// pacing.
	TokensPerSecond float64
	// LoadingUntil is when the loading period set by LoadingFor ends. The
	// server fills it in; it is reported by Faults and /_sim/faults and
	// ignored when faults are set.
	LoadingUntil time.Time
}

// validate reports the first field out of range.
func (f Faults) validate() error {
	switch {
	case math.IsNaN(f.ErrorRate) || f.ErrorRate < 0 || f.ErrorRate > 1:
		return fmt.Errorf("error_rate %v: must be between 0 and 1", f.ErrorRate)
	case f.Status != 0 && (f.Status < 400 || f.Status > 599):
		return fmt.Errorf("status %d: must be between 400 and 599", f.Status)
	case f.RetryAfter < 0:
		return fmt.Errorf("retry_after %d: must not be negative", f.RetryAfter)
	case !validBrokenAnswer(f.BrokenAnswer):
		return fmt.Errorf("broken_answer %q: must be %s, %s, %s or empty", f.BrokenAnswer, BrokenTruncated, BrokenHTML, BrokenEmpty)
	case f.CutAfterChunks < 0:
		return fmt.Errorf("cut_after_chunks %d: must not be negative", f.CutAfterChunks)
	case f.LoadingFor < 0:
		return fmt.Errorf("loading_for %v: must not be negative", f.LoadingFor)
	case f.TTFT < 0:
		return fmt.Errorf("ttft %v: must not be negative", f.TTFT)
	case math.IsNaN(f.TokensPerSecond) || math.IsInf(f.TokensPerSecond, 0) || f.TokensPerSecond < 0:
		return fmt.Errorf("tokens_per_second %v: must be a finite number, 0 or more", f.TokensPerSecond)
	}
	return nil
}

// status returns the injected error's status, defaulting to 500.
func (f Faults) status() int {
	if f.Status == 0 {
		return 500
	}
	return f.Status
}

// tokenInterval is the time between two streamed tokens.
func (f Faults) tokenInterval() time.Duration {
	if f.TokensPerSecond <= 0 {
		return 0
	}
	return time.Duration(float64(time.Second) / f.TokensPerSecond)
}

// faultsJSON is the wire form of Faults: durations as Go duration strings.
type faultsJSON struct {
	ErrorRate       float64    `json:"error_rate"`
	Status          int        `json:"status"`
	RetryAfter      int        `json:"retry_after"`
	Hang            bool       `json:"hang"`
	Reset           bool       `json:"reset"`
	CutAfterChunks  int        `json:"cut_after_chunks"`
	BrokenAnswer    string     `json:"broken_answer,omitempty"`
	LoadingFor      duration   `json:"loading_for"`
	TTFT            duration   `json:"ttft"`
	TokensPerSecond float64    `json:"tokens_per_second"`
	LoadingUntil    *time.Time `json:"loading_until,omitempty"`
}

// MarshalJSON writes f with durations as strings ("5s", "50ms") and status
// 0 shown as the 500 it means. LoadingUntil and BrokenAnswer appear only
// while set.
func (f Faults) MarshalJSON() ([]byte, error) {
	j := faultsJSON{
		ErrorRate: f.ErrorRate, Status: f.status(), RetryAfter: f.RetryAfter, Hang: f.Hang, Reset: f.Reset,
		CutAfterChunks: f.CutAfterChunks, BrokenAnswer: f.BrokenAnswer, LoadingFor: duration(f.LoadingFor), TTFT: duration(f.TTFT),
		TokensPerSecond: f.TokensPerSecond,
	}
	if !f.LoadingUntil.IsZero() {
		t := f.LoadingUntil.UTC()
		j.LoadingUntil = &t
	}
	return json.Marshal(j)
}

// UnmarshalJSON reads the wire form; absent fields are zero. Durations are
// strings ("5s") or numbers of seconds.
func (f *Faults) UnmarshalJSON(b []byte) error {
	var j faultsJSON
	if err := json.Unmarshal(b, &j); err != nil {
		return err
	}
	*f = Faults{
		ErrorRate: j.ErrorRate, Status: j.Status, RetryAfter: j.RetryAfter, Hang: j.Hang, Reset: j.Reset,
		CutAfterChunks: j.CutAfterChunks, BrokenAnswer: j.BrokenAnswer, LoadingFor: time.Duration(j.LoadingFor), TTFT: time.Duration(j.TTFT),
		TokensPerSecond: j.TokensPerSecond,
	}
	return nil
}

// duration is a time.Duration in JSON: a string such as "1.5s", or a number
// of seconds.
type duration time.Duration

func (d duration) MarshalJSON() ([]byte, error) { return json.Marshal(time.Duration(d).String()) }

func (d *duration) UnmarshalJSON(b []byte) error {
	if len(b) > 0 && b[0] == '"' {
		var s string
		if err := json.Unmarshal(b, &s); err != nil {
			return err
		}
		v, err := time.ParseDuration(s)
		if err != nil {
			return fmt.Errorf("duration %q: %w", s, err)
		}
		*d = duration(v)
		return nil
	}
	var secs float64
	if err := json.Unmarshal(b, &secs); err != nil {
		return fmt.Errorf("duration %s: want a string such as \"5s\" or a number of seconds", b)
	}
	if math.IsNaN(secs) || math.Abs(secs) > math.MaxInt64/float64(time.Second) {
		return fmt.Errorf("duration %s: out of range", b)
	}
	*d = duration(secs * float64(time.Second))
	return nil
}
