package resilience

import (
	"net/http"
	"strconv"
	"strings"
	"time"
)

// ParseRetryAfter returns the instant a response asks the client to wait
// until, from (in order of preference) Retry-After in either form
// (delta-seconds or an HTTP date), retry-after-ms, the reset header of an
// exhausted x-ratelimit-*-requests / -tokens pair (OpenAI style durations
// such as "6m0s" or "20ms"), x-ratelimit-reset (delta seconds, or a Unix
// time when it is that large) and the IETF draft's RateLimit-Reset.
func ParseRetryAfter(h http.Header, now time.Time) (time.Time, bool) {
	if v := h.Get("Retry-After"); v != "" {
		if t, ok := parseRetryAfterValue(v, now); ok {
			return t, true
		}
	}
	if v := h.Get("Retry-After-Ms"); v != "" {
		if ms, err := strconv.ParseFloat(strings.TrimSpace(v), 64); err == nil && ms >= 0 {
			return now.Add(time.Duration(ms * float64(time.Millisecond))), true
		}
	}
	if t, ok := rateLimitReset(h, now); ok {
		return t, true
	}
	for _, k := range []string{"X-Ratelimit-Reset", "Ratelimit-Reset"} {
		if v := h.Get(k); v != "" {
			if t, ok := parseResetSeconds(v, now); ok {
				return t, true
			}
		}
	}
	return time.Time{}, false
}

func parseRetryAfterValue(v string, now time.Time) (time.Time, bool) {
	v = strings.TrimSpace(v)
	if secs, err := strconv.ParseInt(v, 10, 64); err == nil {
		if secs < 0 {
			return time.Time{}, false
		}
		return now.Add(time.Duration(secs) * time.Second), true
	}
	if t, err := http.ParseTime(v); err == nil {
		if t.Before(now) {
			return now, true
		}
		return t, true
	}
	return time.Time{}, false
}

// rateLimitReset reads OpenAI-style x-ratelimit-reset-requests and
// x-ratelimit-reset-tokens. The reset of an exhausted limit wins; when none
// is known to be exhausted, the later reset is used.
func rateLimitReset(h http.Header, now time.Time) (time.Time, bool) {
	var best time.Time
	found, exhausted := false, false
	for _, kind := range []string{"requests", "tokens"} {
		v := h.Get("X-Ratelimit-Reset-" + kind)
		if v == "" {
			continue
		}
		d, ok := parseResetDuration(v)
		if !ok {
			continue
		}
		t := now.Add(d)
		isExhausted := strings.TrimSpace(h.Get("X-Ratelimit-Remaining-"+kind)) == "0"
		switch {
		case isExhausted && !exhausted:
			best, exhausted = t, true
		case isExhausted == exhausted && t.After(best):
			best = t
		}
		found = true
	}
	return best, found
}

// parseResetDuration accepts Go-style durations ("1m30s", "20ms", "6m0s")
// and plain seconds ("1.5").
func parseResetDuration(v string) (time.Duration, bool) {
	v = strings.TrimSpace(v)
	if d, err := time.ParseDuration(v); err == nil && d >= 0 {
		return d, true
	}
	if s, err := strconv.ParseFloat(v, 64); err == nil && s >= 0 {
		return time.Duration(s * float64(time.Second)), true
	}
	return 0, false
}

// unixTimeThreshold separates delta seconds from Unix times in reset
// headers: no API asks for a wait of 30 years.
const unixTimeThreshold = 1e9

func parseResetSeconds(v string, now time.Time) (time.Time, bool) {
	s, err := strconv.ParseFloat(strings.TrimSpace(v), 64)
	if err != nil || s < 0 {
		d, ok := parseResetDuration(v)
		return now.Add(d), ok
	}
	if s >= unixTimeThreshold {
		t := time.Unix(0, int64(s*float64(time.Second)))
		if t.Before(now) {
			return now, true
		}
		return t, true
	}
	return now.Add(time.Duration(s * float64(time.Second))), true
}
