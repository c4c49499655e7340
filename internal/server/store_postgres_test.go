package server

import (
	"context"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"testing"

	"github.com/flywheel-stack/flywheel/internal/testenv"
	"github.com/flywheel-stack/flywheel/store/postgres"
	"github.com/flywheel-stack/flywheel/store/storetest"
)

// tcpProxy forwards a loopback port to PostgreSQL; Stop closes the port and
// every connection through it, Start opens the same port again.
type tcpProxy struct {
	target string
	addr   string

	mu    sync.Mutex
	ln    net.Listener
	conns map[net.Conn]struct{}
	wg    sync.WaitGroup
}

func newTCPProxy(t *testing.T, target string) *tcpProxy {
	t.Helper()
	p := &tcpProxy{target: target, conns: map[net.Conn]struct{}{}}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	p.addr = ln.Addr().String()
	p.serve(ln)
	t.Cleanup(p.Stop)
	return p
}

func (p *tcpProxy) serve(ln net.Listener) {
	p.mu.Lock()
	p.ln = ln
	p.mu.Unlock()
	p.wg.Add(1)
	go func() {
		defer p.wg.Done()
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			up, err := net.Dial("tcp", p.target)
			if err != nil {
				_ = c.Close()
				continue
			}
			p.mu.Lock()
			p.conns[c], p.conns[up] = struct{}{}, struct{}{}
			p.mu.Unlock()
			p.wg.Add(2)
			go p.pipe(c, up)
			go p.pipe(up, c)
		}
	}()
}

func (p *tcpProxy) pipe(dst, src net.Conn) {
	defer p.wg.Done()
	_, _ = io.Copy(dst, src)
	_ = dst.Close()
	_ = src.Close()
	p.mu.Lock()
	delete(p.conns, dst)
	delete(p.conns, src)
	p.mu.Unlock()
}

// Stop makes PostgreSQL unreachable: the port refuses connections and the
// open ones are cut.
func (p *tcpProxy) Stop() {
	p.mu.Lock()
	if p.ln != nil {
		_ = p.ln.Close()
		p.ln = nil
	}
	for c := range p.conns {
		_ = c.Close()
	}
	p.mu.Unlock()
	p.wg.Wait()
}

// Start makes PostgreSQL reachable again on the same port.
func (p *tcpProxy) Start(t *testing.T) {
	t.Helper()
	ln, err := net.Listen("tcp", p.addr)
	if err != nil {
		t.Fatalf("listen again on %s: %v", p.addr, err)
	}
	p.serve(ln)
}

func TestPostgresAwayThenBack(t *testing.T) {
	dsn := storetest.PostgresSchema(t, testenv.PostgresDSN(t))
	u, err := url.Parse(dsn)
	if err != nil {
		t.Fatal(err)
	}
	cfgPG := u.Host
	proxy := newTCPProxy(t, cfgPG)
	proxied := strings.Replace(dsn, cfgPG, proxy.addr, 1)
	if !strings.Contains(proxied, proxy.addr) {
		t.Fatalf("could not point %s at the proxy", dsn)
	}
	st, err := postgres.Open(context.Background(), proxied+"&connect_timeout=2", postgres.Options{})
	if err != nil {
		t.Fatal(err)
	}
	s := newStoreServerOn(t, st, `
backends: [{name: sim, kind: openai, url: %s/v1}]
routes: [{name: chat, targets: [{backend: sim, model: m}]}]
store: {driver: postgres, dsn: "postgres://unused", flush_interval: 20ms}
health: {interval: 50ms}
feedback: {metrics: [{name: thumbs_up, type: boolean}]}
`, nil)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	if err := s.srv.Health.Start(ctx); err != nil {
		t.Fatal(err)
	}
	defer s.srv.Health.Stop()

	chat := func() string {
		t.Helper()
		resp, body := s.post(t, "/v1/chat/completions", `{"model":"chat","messages":[{"role":"user","content":"hi"}]}`)
		if resp.StatusCode != http.StatusOK {
			t.Fatalf("chat: %d %s", resp.StatusCode, body)
		}
		return resp.Header.Get("X-Flywheel-Inference-Id")
	}
	feedback := func(id string) (int, string) {
		t.Helper()
		resp, body := s.post(t, "/v1/feedback", fmt.Sprintf(`{"inference_id":%q,"metric":"thumbs_up","value":true}`, id))
		return resp.StatusCode, body
	}
	readyStore := func() string {
		_, body := get(t, s.base+"/readyz?verbose")
		for _, line := range strings.Split(body, "\n") {
			if strings.Contains(line, "store") {
				return line
			}
		}
		return ""
	}

	first := chat()
	if code, body := feedback(first); code != http.StatusOK {
		t.Fatalf("feedback with PostgreSQL up: %d %s", code, body)
	}
	waitFor(t, "the first inference to be written", func() bool {
		_, err := st.Inference(context.Background(), first)
		return err == nil
	})
	waitFor(t, "the store check to pass", func() bool { return strings.HasPrefix(readyStore(), "[+]store") })

	proxy.Stop()
	var during []string
	for range 5 {
		during = append(during, chat()) // the gateway keeps answering
	}
	code, body := feedback(first)
	if code != http.StatusServiceUnavailable || !strings.Contains(body, "store_unavailable") || !strings.Contains(body, "retry") {
		t.Fatalf("feedback with PostgreSQL away: %d %s; want 503 store_unavailable", code, body)
	}
	waitFor(t, "readiness to warn about the store", func() bool { return strings.HasPrefix(readyStore(), "[-]store") })
	if code, body := get(t, s.base+"/readyz"); code != http.StatusOK {
		t.Errorf("readyz with only the store away = %d %s; want 200 (a warning)", code, body)
	}
	waitFor(t, "dropped telemetry to be counted", func() bool {
		_, metrics := get(t, s.base+"/metrics")
		return !strings.Contains(metrics, `flywheel_telemetry_dropped_total{reason="write_failed"} 0`) &&
			strings.Contains(metrics, `flywheel_telemetry_dropped_total{reason="write_failed"}`)
	})

	proxy.Start(t)
	var after string
	waitFor(t, "feedback to work again", func() bool {
		code, _ := feedback(first)
		return code == http.StatusOK
	})
	waitFor(t, "the store check to pass again", func() bool { return strings.HasPrefix(readyStore(), "[+]store") })
	after = chat()
	waitFor(t, "a new inference to be written", func() bool {
		_, err := st.Inference(context.Background(), after)
		return err == nil
	})
	if code, body := feedback(after); code != http.StatusOK {
		t.Errorf("feedback on a new inference after recovery: %d %s", code, body)
	}
}
