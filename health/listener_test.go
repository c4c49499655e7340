package health

import (
	"bytes"
	"log/slog"
	"strings"
	"sync"
	"testing"
)

func TestListenerOneChangePerTransition(t *testing.T) {
	t.Parallel()
	var mu sync.Mutex
	var got []Change
	c, _ := newChecker(t, Options{Listener: ListenerFunc(func(ch Change) {
		mu.Lock()
		defer mu.Unlock()
		got = append(got, ch)
	})}, Check{Name: "db", Func: newScript(pass).run, NonCritical: true})
	set(t, c, "db", pass, pass, fail, fail, warn, pass)
	mu.Lock()
	defer mu.Unlock()
	want := []struct {
		from, to Status
		reason   string
	}{{"", StatusPass, ""}, {StatusPass, StatusFail, "connection refused"}, {StatusFail, StatusWarn, "slow"}, {StatusWarn, StatusPass, ""}}
	if len(got) != len(want) {
		t.Fatalf("got %d changes %+v, want %d", len(got), got, len(want))
	}
	for i, w := range want {
		if got[i].Check != "db" || got[i].From != w.from || got[i].To != w.to || got[i].Reason != w.reason || got[i].Critical {
			t.Errorf("change %d = %+v, want %s->%s %q", i, got[i], w.from, w.to, w.reason)
		}
	}
}

func TestSlogListener(t *testing.T) {
	t.Parallel()
	var buf bytes.Buffer
	c, _ := newChecker(t, Options{Listener: SlogListener(slog.New(slog.NewTextHandler(&buf, nil)))},
		Check{Name: "db", Func: newScript(pass).run})
	set(t, c, "db", pass, fail, fail, pass)
	lines := strings.Split(strings.TrimSpace(buf.String()), "\n")
	if len(lines) != 3 {
		t.Fatalf("%d log lines, want 3 (one per transition):\n%s", len(lines), buf.String())
	}
	for i, want := range []string{
		`level=INFO msg="health check status changed" check=db from=unknown to=pass reason=""`,
		`level=ERROR msg="health check status changed" check=db from=pass to=fail reason="connection refused" kind=readiness critical=true consecutive_failures=1`,
		`level=INFO msg="health check status changed" check=db from=fail to=pass reason=""`,
	} {
		if !strings.Contains(lines[i], want) {
			t.Errorf("line %d = %s\nwant it to contain %s", i, lines[i], want)
		}
	}
}
