package gateway

import (
	"encoding/json"
	"log/slog"
	"net/http"
	"reflect"
	"strings"
	"sync/atomic"
	"testing"
)

func TestOrderMovesDemotedTargetsBehindTheNext(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name    string
		targets string // one letter per backend, in route order
		demoted string
		want    string
	}{
		{"nothing demoted", "abc", "", "abc"},
		{"first", "abc", "a", "bac"},
		{"middle", "abc", "b", "acb"},
		{"last stays last", "abc", "c", "abc"},
		{"two in a row move behind the next healthy one", "abc", "ab", "cab"},
		{"two apart", "abcd", "ac", "badc"},
		{"all demoted keep their order", "ab", "ab", "ab"},
		{"backend not in the route", "ab", "z", "ab"},
		{"longer than the stack buffer", "abcdefghij", "a", "bacdefghij"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			g := &Gateway{demoted: demotions{flags: map[string]*atomicBool{}}}
			g.log = discardLogger()
			rt := &route{}
			for _, c := range tc.targets {
				name := string(c)
				g.demoted.flags[name] = new(atomicBool)
				rt.targets = append(rt.targets, &target{key: name, demoted: g.demoted.flags[name]})
			}
			g.demoted.flags["z"] = new(atomicBool)
			for _, c := range tc.demoted {
				if !g.SetDemoted(string(c), true) {
					t.Fatalf("SetDemoted(%c) = false", c)
				}
			}
			var buf [maxStackTargets]*target
			var got strings.Builder
			for _, tg := range g.order(rt, &buf) {
				got.WriteString(tg.key)
			}
			if got.String() != tc.want {
				t.Fatalf("order = %s, want %s", got.String(), tc.want)
			}
			for _, c := range tc.demoted {
				g.SetDemoted(string(c), false)
			}
			if got := g.order(rt, &buf); &got[0] != &rt.targets[0] {
				t.Fatal("after every demotion ended, order must return the route's own chain")
			}
			if n := g.demoted.count.Load(); n != 0 {
				t.Fatalf("demoted count = %d after restoring all", n)
			}
		})
	}
}

func TestOrderDoesNotAllocate(t *testing.T) {
	g := &Gateway{demoted: demotions{flags: map[string]*atomicBool{"a": new(atomicBool), "b": new(atomicBool)}}, log: discardLogger()}
	rt := &route{targets: []*target{{key: "a", demoted: g.demoted.flags["a"]}, {key: "b", demoted: g.demoted.flags["b"]}}}
	first := ""
	for _, demote := range []bool{false, true} {
		g.SetDemoted("a", demote)
		allocs := testing.AllocsPerRun(100, func() {
			var buf [maxStackTargets]*target
			first = g.order(rt, &buf)[0].key
		})
		if allocs != 0 {
			t.Errorf("demoted=%v: %v allocations per call", demote, allocs)
		}
		if want := map[bool]string{false: "a", true: "b"}[demote]; first != want {
			t.Errorf("demoted=%v: first target %s, want %s", demote, first, want)
		}
	}
}

func TestDemotedBackendIsTriedAfterTheNextTarget(t *testing.T) {
	t.Parallel()
	local, remote := newFakeBackend(t), newFakeBackend(t)
	h := newHarness(t, twoTargets+"server: {admin_token_env: ADMIN}\n", map[string]string{"REMOTE_KEY": "k", "ADMIN": "tok"}, local, remote)
	ask := func() string {
		t.Helper()
		resp, body := h.post(t, "/v1/chat/completions", `{"model":"coder","messages":[{"role":"user","content":"hi"}]}`)
		if resp.StatusCode != http.StatusOK {
			t.Fatalf("status %d: %s", resp.StatusCode, body)
		}
		return resp.Header.Get(HeaderBackend)
	}
	if got := ask(); got != "local" {
		t.Fatalf("before demotion the answer came from %q, want local", got)
	}
	if h.gw.SetDemoted("nope", true) {
		t.Fatal("SetDemoted of an unknown backend must report false")
	}
	h.gw.SetDemoted("local", true)
	if got := ask(); got != "remote" {
		t.Fatalf("while local is demoted the answer came from %q, want remote", got)
	}
	if ev := h.lastEvent(t, 2); ev.FallbackDepth != 0 || ev.Backend != "remote" {
		t.Fatalf("event of the demoted route: backend %q depth %d, want remote at 0", ev.Backend, ev.FallbackDepth)
	}
	// The breakers listing says so.
	req, _ := http.NewRequest(http.MethodGet, h.srv.URL+"/admin/v1/breakers", nil)
	req.Header.Set("Authorization", "Bearer tok")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	var listing struct {
		Breakers []struct {
			Key     string `json:"key"`
			Demoted bool   `json:"demoted"`
		} `json:"breakers"`
		Demoted []string `json:"demoted_backends"`
	}
	err = json.NewDecoder(resp.Body).Decode(&listing)
	resp.Body.Close()
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(listing.Demoted, []string{"local"}) {
		t.Fatalf("demoted_backends = %v", listing.Demoted)
	}
	for _, b := range listing.Breakers {
		if want := strings.HasPrefix(b.Key, "local/"); b.Demoted != want {
			t.Errorf("breaker %s demoted = %v, want %v", b.Key, b.Demoted, want)
		}
	}
	// The local target still serves when the next one fails.
	remote.answer(statusAnswer(http.StatusInternalServerError, ""))
	if got := ask(); got != "local" {
		t.Fatalf("with remote failing the demoted local must still answer, got %q", got)
	}
	remote.answer(okAnswer("back"))
	h.gw.SetDemoted("local", false)
	if got := ask(); got != "local" {
		t.Fatalf("after the demotion ended the answer came from %q, want local", got)
	}
	if d := h.gw.Demoted(); len(d) != 0 {
		t.Fatalf("Demoted() = %v after restoring", d)
	}
}

type atomicBool = atomic.Bool

func discardLogger() *slog.Logger { return slog.New(slog.DiscardHandler) }
