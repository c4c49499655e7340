package health

import (
	"bytes"
	"errors"
	"net/http/httptest"
	"strings"
	"testing"
)

func TestProbeClient(t *testing.T) {
	t.Parallel()
	c := probeFixture(t) // readiness fails (llama), liveness fails (not started)
	ok, _ := newChecker(t, Options{}, Check{Name: "cache", Func: newScript(pass).run, NonCritical: true})
	set(t, ok, "cache", fail) // readiness warns
	failing := httptest.NewServer(c.Handler())
	t.Cleanup(failing.Close)
	warning := httptest.NewServer(ok.Handler())
	t.Cleanup(warning.Close)
	gone := httptest.NewServer(nil)
	gone.Close()

	tests := []struct {
		name     string
		url      string
		probe    string
		wantCode int
		wantErr  bool
		wantOut  string
	}{
		{"fails", failing.URL, "ready", 1, false, "[-]llama failed: starting: llama.cpp is loading the model\n"},
		{"warns", warning.URL, "ready", 0, false, "[-]cache failed (non-critical): connection refused\nreadyz check passed\n"},
		{"z suffix and no scheme", strings.TrimPrefix(warning.URL, "http://"), "startupz", 0, false, "startupz check passed\n"},
		{"liveness", failing.URL, "live", 1, false, "[-]heartbeat failed: checker not started\nlivez check failed\n"},
		{"unreachable", gone.URL, "ready", 1, true, "readyz unreachable: "},
		{"unknown probe", failing.URL, "deep", 1, true, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			var out bytes.Buffer
			code, err := Probe(t.Context(), tt.url, tt.probe, &out)
			if code != tt.wantCode || (err != nil) != tt.wantErr {
				t.Errorf("Probe = %d, %v; want %d, error %v", code, err, tt.wantCode, tt.wantErr)
			}
			if tt.probe == "deep" && (!errors.Is(err, ErrUnknownProbe) || out.Len() != 0) {
				t.Errorf("unknown probe: %v, wrote %q; want ErrUnknownProbe and nothing written", err, out.String())
			}
			if !strings.Contains(out.String(), tt.wantOut) {
				t.Errorf("output %q, want it to contain %q", out.String(), tt.wantOut)
			}
		})
	}
}

func TestProbeWithToken(t *testing.T) {
	t.Parallel()
	srv := httptest.NewServer(detailsFixture(t).Handler())
	t.Cleanup(srv.Close)
	for _, tt := range []struct{ token, want string }{
		{"", "[-]postgres failed: details withheld\n"},
		{"wrong", "[-]postgres failed: details withheld\n"},
		{"tok", "[-]postgres failed: connect: user=alice host=db.internal:5432\n"},
	} {
		var out bytes.Buffer
		if code, err := ProbeWithToken(t.Context(), srv.URL, "ready", tt.token, &out); code != 1 || err != nil {
			t.Errorf("token %q: Probe = %d, %v; want 1 (readiness fails), nil", tt.token, code, err)
		}
		if !strings.Contains(out.String(), tt.want) {
			t.Errorf("token %q: output %q, want it to contain %q", tt.token, out.String(), tt.want)
		}
	}
}
