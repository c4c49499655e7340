//go:build unix

package e2e

import (
	"fmt"
	"net"
	"slices"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/flywheel-stack/flywheel/telemetry"
)

// refusingPort binds a TCP socket to a loopback port without listening on
// it: connections to the port are refused, and no other test can take the
// port (as it could one merely found free) until release closes the socket,
// so that a simulator can start there.
func refusingPort(t *testing.T) (addr string, release func()) {
	t.Helper()
	fd, err := syscall.Socket(syscall.AF_INET, syscall.SOCK_STREAM, 0)
	if err != nil {
		t.Fatal(err)
	}
	if err := syscall.Bind(fd, &syscall.SockaddrInet4{Addr: [4]byte{127, 0, 0, 1}}); err != nil {
		_ = syscall.Close(fd)
		t.Fatal(err)
	}
	sa, err := syscall.Getsockname(fd)
	if err != nil {
		_ = syscall.Close(fd)
		t.Fatal(err)
	}
	var once sync.Once
	release = func() { once.Do(func() { _ = syscall.Close(fd) }) }
	t.Cleanup(release)
	return net.JoinHostPort("127.0.0.1", strconv.Itoa(sa.(*syscall.SockaddrInet4).Port)), release
}

func TestChaosPrimaryRefusesConnections(t *testing.T) {
	t.Parallel()
	primary, release := refusingPort(t) // nothing listens there until the primary comes back
	remote := remoteSim(t)
	g := startGateway(t, chaosConfig, map[string]string{"local": "http://" + primary, "remote": remote.url},
		gatewayOptions{env: chaosEnv, fake: true})
	settle(t, remote)

	// Every request is answered by the fallback; the first three each
	// tried the primary once (consecutive_failures: 3).
	for i := 1; i <= 3; i++ {
		h := chat(t, g, fmt.Sprint("refused ", i))
		if h.Get("X-Flywheel-Backend") != "remote" || h.Get("X-Flywheel-Attempts") != "2" {
			t.Fatalf("request %d: backend %q attempts %q, want remote after 1 failed attempt on local",
				i, h.Get("X-Flywheel-Backend"), h.Get("X-Flywheel-Attempts"))
		}
		if ev := g.event(t, i); ev.FallbackDepth != 1 || ev.Status != telemetry.StatusOK {
			t.Fatalf("request %d: event %+v", i, ev)
		}
	}
	openedAt := g.clk.Now()
	b := g.adminBreakers(t, adminToken)[localKey]
	if b.State != "open" || b.Totals.Failures != 3 || b.OpenUntil == nil || !b.OpenUntil.Equal(openedAt.Add(30*time.Second)) {
		t.Fatalf("after 3 refused connections the admin API shows %+v, want open until %v", b, openedAt.Add(30*time.Second))
	}
	if m := g.metric(t, `flywheel_breaker_state{breaker="`+localKey+`",state="open"}`); !strings.HasSuffix(m, " 1") {
		t.Fatalf("metrics: %q", m)
	}
	if m := g.metric(t, `flywheel_gateway_fallbacks_total{route="chat"}`); !strings.HasSuffix(m, " 3") {
		t.Fatalf("metrics: %q", m)
	}

	// While open, the primary is not tried at all.
	h := chat(t, g, "while open")
	if h.Get("X-Flywheel-Backend") != "remote" || h.Get("X-Flywheel-Attempts") != "1" {
		t.Fatalf("while open: backend %q attempts %q", h.Get("X-Flywheel-Backend"), h.Get("X-Flywheel-Attempts"))
	}
	if tot := g.breaker(localKey).Totals; tot.Rejected != 1 || tot.Failures != 3 {
		t.Fatalf("while open: %+v", tot)
	}

	// open_for passes with the primary still down: the half-open trial
	// fails, the request falls back, and the breaker opens again.
	g.clk.Advance(30 * time.Second)
	h = chat(t, g, "trial while down")
	if h.Get("X-Flywheel-Backend") != "remote" || h.Get("X-Flywheel-Attempts") != "2" {
		t.Fatalf("failed trial: backend %q attempts %q", h.Get("X-Flywheel-Backend"), h.Get("X-Flywheel-Attempts"))
	}
	if b := g.breaker(localKey); b.State.String() != "open" || !b.OpenUntil.Equal(g.clk.Now().Add(30*time.Second)) {
		t.Fatalf("after a failed trial: %s until %v", b.State, b.OpenUntil)
	}

	// The primary comes back; once open_for has passed, a half-open trial
	// goes to it, succeeds and closes the breaker.
	release()
	local := localSim(t, primary)
	g.clk.Advance(30 * time.Second)
	h = chat(t, g, "after recovery")
	if h.Get("X-Flywheel-Backend") != "local" || h.Get("X-Flywheel-Attempts") != "1" {
		t.Fatalf("after recovery: backend %q attempts %q", h.Get("X-Flywheel-Backend"), h.Get("X-Flywheel-Attempts"))
	}
	if st := local.Stats(); st.ByPath["/v1/chat/completions"] != 1 {
		t.Fatalf("the recovered primary saw %+v", st)
	}
	want := []string{"closed>open", "open>half_open", "half_open>open", "open>half_open", "half_open>closed"}
	if got := g.transitionsOf(localKey); !slices.Equal(got, want) {
		t.Fatalf("transitions %v, want %v", got, want)
	}
	if b := g.adminBreakers(t, adminToken)[localKey]; b.State != "closed" || b.OpenUntil != nil {
		t.Fatalf("after recovery the admin API shows %+v", b)
	}
	if n := remote.Stats().ByPath["/v1/chat/completions"]; n != 5 {
		t.Fatalf("the fallback answered %d requests, want 5", n)
	}
}
