package telemetry

import (
	"testing"
	"time"
)

func TestTokensPerSecond(t *testing.T) {
	t.Parallel()
	start := time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)
	tests := []struct {
		name string
		ev   Event
		want float64
	}{
		// 100 tokens in the 2 s after a 1 s first token.
		{"stream", Event{Stream: true, Start: start, End: start.Add(3 * time.Second), TimeToFirstToken: time.Second, TokensOut: 100}, 50},
		// The whole 2 s answer arrived at once: its first token is its
		// end, and the speed is over the whole latency.
		{"not streamed", Event{Start: start, End: start.Add(2*time.Second + time.Microsecond), TimeToFirstToken: 2 * time.Second, TokensOut: 100}, 100 / (2 + 1e-6)},
		{"stream without a first token", Event{Stream: true, Start: start, End: start.Add(4 * time.Second), TokensOut: 100}, 25},
		{"no tokens", Event{Stream: true, Start: start, End: start.Add(time.Second), TimeToFirstToken: time.Millisecond}, 0},
		{"no time", Event{Start: start, End: start, TokensOut: 5}, 0},
	}
	for _, tc := range tests {
		if got := tc.ev.TokensPerSecond(); got != tc.want {
			t.Errorf("%s: %v tokens/s, want %v", tc.name, got, tc.want)
		}
	}
}
