package simulate

import (
	"context"
	"net/http"
	"testing"
	"time"
)

// TestListenStopsWithContext checks that the server stops when the ctx
// given to Listen ends, and that shutdown after that is harmless.
func TestListenStopsWithContext(t *testing.T) {
	t.Parallel()
	for _, tt := range []struct {
		name      string
		cancelled bool // ctx already done when Listen is called
	}{{"cancelled later", false}, {"cancelled before Listen", true}} {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			srv, err := New(Config{})
			if err != nil {
				t.Fatal(err)
			}
			ctx, cancel := context.WithCancel(context.Background())
			defer cancel()
			if tt.cancelled {
				cancel()
			}
			url, shutdown, err := srv.Listen(ctx, "127.0.0.1:0")
			if err != nil {
				if tt.cancelled {
					return // refusing to listen is fine too
				}
				t.Fatal(err)
			}
			tr := &http.Transport{DisableKeepAlives: true}
			defer tr.CloseIdleConnections()
			if !tt.cancelled {
				resp, err := (&http.Client{Transport: tr}).Get(url + "/health")
				if err != nil {
					t.Fatal(err)
				}
				resp.Body.Close()
			}
			cancel()
			sctx, done := context.WithTimeout(context.Background(), 10*time.Second)
			defer done()
			if err := shutdown(sctx); err != nil {
				t.Errorf("shutdown: %v", err)
			}
			if resp, err := (&http.Client{Transport: tr}).Get(url + "/health"); err == nil {
				resp.Body.Close()
				t.Error("the server still answers after its ctx ended")
			}
		})
	}
}
