package health

import (
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
)

func TestHTTPCheck(t *testing.T) {
	t.Parallel()
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		switch r.URL.Path {
		case "/ok":
		case "/teapot":
			w.WriteHeader(http.StatusTeapot)
			_, _ = w.Write([]byte("short and stout"))
		case "/auth":
			if r.Header.Get("X-Token") != "t0k3n" {
				w.WriteHeader(http.StatusUnauthorized)
			}
		default:
			w.WriteHeader(http.StatusInternalServerError)
		}
	}))
	t.Cleanup(srv.Close)
	closed := httptest.NewServer(nil)
	closed.Close()
	tests := []struct {
		name    string
		url     string
		opts    HTTPOptions
		want    Status
		wantOut string
	}{
		{"2xx passes", srv.URL + "/ok", HTTPOptions{}, StatusPass, ""},
		{"5xx fails", srv.URL + "/boom", HTTPOptions{}, StatusFail, "status 500, want 200-399"},
		{"unexpected status shows body", srv.URL + "/teapot", HTTPOptions{}, StatusFail, "status 418, want 200-399: short and stout"},
		{"custom range", srv.URL + "/teapot", HTTPOptions{StatusMin: 418, StatusMax: 418}, StatusPass, ""},
		{"header sent", srv.URL + "/auth", HTTPOptions{Header: http.Header{"X-Token": {"t0k3n"}}}, StatusPass, ""},
		{"header missing", srv.URL + "/auth", HTTPOptions{}, StatusFail, "status 401"},
		{"unreachable", closed.URL, HTTPOptions{}, StatusFail, "connection refused"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			r := HTTPCheck(tt.url, tt.opts)(t.Context())
			if r.Status != tt.want || !strings.Contains(r.Output, tt.wantOut) {
				t.Errorf("got %q %q, want %q containing %q", r.Status, r.Output, tt.want, tt.wantOut)
			}
		})
	}
}

func TestTCPCheck(t *testing.T) {
	t.Parallel()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	open := ln.Addr().String()
	defer ln.Close()
	ln2, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	closed := ln2.Addr().String()
	_ = ln2.Close()
	if r := TCPCheck(open)(t.Context()); r.Status != StatusPass {
		t.Errorf("open port: %q %q", r.Status, r.Output)
	}
	if r := TCPCheck(closed)(t.Context()); r.Status != StatusFail || !strings.Contains(r.Output, "connection refused") {
		t.Errorf("closed port: %q %q", r.Status, r.Output)
	}
}
