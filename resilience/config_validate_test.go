package resilience_test

import (
	"errors"
	"reflect"
	"testing"
	"time"

	"github.com/flywheel-stack/flywheel/resilience"
)

// fieldErrors returns the *FieldErrors in err, in order.
func fieldErrors(t *testing.T, err error) []*resilience.FieldError {
	t.Helper()
	if err == nil {
		return nil
	}
	var out []*resilience.FieldError
	j, ok := err.(interface{ Unwrap() []error })
	if !ok {
		t.Fatalf("Validate returned %T, want errors joined", err)
	}
	for _, e := range j.Unwrap() {
		var fe *resilience.FieldError
		if !errors.As(e, &fe) {
			t.Fatalf("Validate returned %T (%v), want *FieldError", e, e)
		}
		out = append(out, fe)
	}
	return out
}

// TestValidateFieldErrors checks that every rule reports a typed error that
// names its field (and, for a rule between two, the other field), so that a
// caller can map it to its own key names.
func TestValidateFieldErrors(t *testing.T) {
	t.Parallel()
	type want struct{ field, other, msg string }
	tests := []struct {
		name string
		err  error
		want []want
	}{
		{"breaker ranges", resilience.BreakerConfig{FailureRate: 2, MinCalls: -1, WindowBuckets: 5000, OpenBackoff: 0.5, SlowCall: -time.Second}.Validate(),
			[]want{{"FailureRate", "", "must be in (0,1], got 2"}, {"MinCalls", "", "must be >= 1, got -1"},
				{"SlowCall", "", "must be >= 0, got -1s"}, {"WindowBuckets", "", "must be in [1,1000], got 5000"},
				{"OpenBackoff", "", "must be >= 1, got 0.5"}}},
		{"breaker pair", resilience.BreakerConfig{OpenFor: time.Minute, MaxOpenFor: time.Second}.Validate(),
			[]want{{"MaxOpenFor", "OpenFor", "must be >= OpenFor (1m0s), got 1s"}}},
		{"breaker count window too small", resilience.BreakerConfig{FailureRate: 0.5, MinCalls: 20, WindowSize: 5}.Validate(),
			[]want{{"MinCalls", "WindowSize", "must be <= WindowSize (5), or the rate rules can never trip; got 20"}}},
		{"breaker slow call rate", resilience.BreakerConfig{SlowCallRate: 0.5}.Validate(),
			[]want{{"SlowCall", "SlowCallRate", "must be > 0 when SlowCallRate is set, got 0s"}}},
		{"breaker zero set on purpose", resilience.BreakerConfig{}.ValidateSet("MinCalls", "FailureRate", "OpenFor", "SlowCall"),
			[]want{{"FailureRate", "", "must be in (0,1], got 0"}, {"MinCalls", "", "must be >= 1, got 0"}, {"OpenFor", "", "must be > 0, got 0s"}}},
		{"retry ranges", resilience.RetryConfig{MaxAttempts: -1, BaseDelay: -time.Second, Multiplier: 0.5, MaxElapsed: -1}.Validate(),
			[]want{{"MaxAttempts", "", "must be >= 1, got -1"}, {"BaseDelay", "", "must be > 0, got -1s"},
				{"Multiplier", "", "must be >= 1, got 0.5"}, {"MaxElapsed", "", "must be >= 0, got -1ns"}}},
		{"retry pair", resilience.RetryConfig{BaseDelay: 2 * time.Second, MaxDelay: time.Second}.Validate(),
			[]want{{"MaxDelay", "BaseDelay", "must be >= BaseDelay (2s), got 1s"}}},
		{"retry zero set on purpose", resilience.RetryConfig{}.ValidateSet("MaxAttempts", "MaxElapsed"),
			[]want{{"MaxAttempts", "", "must be >= 1, got 0"}}},
		{"retry unknown jitter", resilience.RetryConfig{Jitter: 9}.Validate(),
			[]want{{"Jitter", "", "must be JitterFull, JitterNone, JitterEqual or JitterDecorrelated, got 9"}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			var got []want
			for _, fe := range fieldErrors(t, tt.err) {
				got = append(got, want{fe.Field, fe.Other, fe.Message(nil)})
				if fe.Error() != fe.Field+": "+fe.Message(nil) {
					t.Errorf("Error() = %q, want the field then the message", fe.Error())
				}
			}
			if !reflect.DeepEqual(got, tt.want) {
				t.Errorf("got  %+v\nwant %+v", got, tt.want)
			}
		})
	}
}

// TestFieldErrorMessageNames checks that a caller can name the other field
// its own way.
func TestFieldErrorMessageNames(t *testing.T) {
	t.Parallel()
	fes := fieldErrors(t, resilience.BreakerConfig{OpenFor: time.Minute, MaxOpenFor: time.Second}.Validate())
	if len(fes) != 1 {
		t.Fatalf("got %d errors, want 1", len(fes))
	}
	got := fes[0].Message(func(f string) string { return map[string]string{"OpenFor": "open_for"}[f] })
	if want := "must be >= open_for (1m0s), got 1s"; got != want {
		t.Errorf("Message = %q, want %q", got, want)
	}
}

// TestDefaultsAdapt checks that a default never conflicts with a field that
// is set: it adapts to it, and the config validates.
func TestDefaultsAdapt(t *testing.T) {
	t.Parallel()
	breakers := []struct {
		name  string
		cfg   resilience.BreakerConfig
		check func(c resilience.BreakerConfig) bool
	}{
		{"min calls within a small count window", resilience.BreakerConfig{FailureRate: 0.5, WindowSize: 4},
			func(c resilience.BreakerConfig) bool { return c.MinCalls == 4 && c.WindowSize == 4 }},
		{"count window holds min calls", resilience.BreakerConfig{FailureRate: 0.5, MinCalls: 250},
			func(c resilience.BreakerConfig) bool { return c.WindowSize == 250 && c.MinCalls == 250 }},
		{"open for within max open for", resilience.BreakerConfig{MaxOpenFor: 5 * time.Second},
			func(c resilience.BreakerConfig) bool { return c.OpenFor == 5*time.Second }},
		{"defaults unchanged otherwise", resilience.BreakerConfig{FailureRate: 0.5},
			func(c resilience.BreakerConfig) bool {
				return c.MinCalls == 10 && c.WindowSize == 100 && c.OpenFor == 30*time.Second && c.WindowDuration == time.Minute
			}},
	}
	for _, tt := range breakers {
		if err := tt.cfg.Validate(); err != nil {
			t.Errorf("%s: Validate: %v", tt.name, err)
			continue
		}
		if got := resilience.NewBreaker(tt.cfg).Config(); !tt.check(got) {
			t.Errorf("%s: defaults = %+v", tt.name, got)
		}
	}
	retries := []struct {
		name           string
		cfg            resilience.RetryConfig
		base, maxDelay time.Duration
	}{
		{"max delay holds a long base", resilience.RetryConfig{BaseDelay: time.Minute}, time.Minute, time.Minute},
		{"base within a short max delay", resilience.RetryConfig{MaxDelay: 100 * time.Millisecond}, 100 * time.Millisecond, 100 * time.Millisecond},
		{"defaults", resilience.RetryConfig{}, 500 * time.Millisecond, 30 * time.Second},
	}
	for _, tt := range retries {
		if err := tt.cfg.Validate(); err != nil {
			t.Errorf("%s: Validate: %v", tt.name, err)
			continue
		}
		got := resilience.NewRetrier(tt.cfg).Config()
		if got.BaseDelay != tt.base || got.MaxDelay != tt.maxDelay {
			t.Errorf("%s: base %s, max %s; want %s, %s", tt.name, got.BaseDelay, got.MaxDelay, tt.base, tt.maxDelay)
		}
	}
}
