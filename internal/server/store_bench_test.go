package server

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"strings"
	"testing"

	"github.com/flywheel-stack/flywheel/config"
	"github.com/flywheel-stack/flywheel/internal/testenv"
	"github.com/flywheel-stack/flywheel/store"
	"github.com/flywheel-stack/flywheel/store/postgres"
	"github.com/flywheel-stack/flywheel/store/sqlite"
	"github.com/flywheel-stack/flywheel/store/storetest"
)

// BenchmarkGatewayStorage measures one non-streamed chat completion with a
// ~1 KB prompt and answer through the whole server handler, with storage
// off, on SQLite and on PostgreSQL (prompts and answers captured). "direct"
// is the same call straight to the backend: the gateway's added latency is
// the difference.
func BenchmarkGatewayStorage(b *testing.B) {
	answer := fmt.Sprintf(`{"id":"chatcmpl-1","object":"chat.completion","choices":[{"index":0,"message":{"role":"assistant","content":%q},"finish_reason":"stop"}],"usage":{"prompt_tokens":250,"completion_tokens":250,"total_tokens":500}}`,
		strings.Repeat("A circuit breaker stops calls to a failing service. ", 20))
	backend := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		_, _ = io.Copy(io.Discard, r.Body)
		w.Header().Set("Content-Type", "application/json")
		_, _ = io.WriteString(w, answer)
	}))
	defer backend.Close()
	prompt := fmt.Sprintf(`{"model":"chat","messages":[{"role":"user","content":%q}]}`,
		strings.Repeat("Explain circuit breakers in one paragraph. ", 23))
	cfg, err := config.Parse("flywheel.yaml", []byte(fmt.Sprintf(`
backends: [{name: b, kind: openai, url: %s/v1}]
routes: [{name: chat, targets: [{backend: b, model: m}]}]
`, backend.URL)))
	if err != nil {
		b.Fatal(err)
	}

	b.Run("direct", func(b *testing.B) {
		client := &http.Client{}
		for b.Loop() {
			resp, err := client.Post(backend.URL+"/v1/chat/completions", "application/json", strings.NewReader(prompt))
			if err != nil {
				b.Fatal(err)
			}
			_, _ = io.Copy(io.Discard, resp.Body)
			resp.Body.Close()
		}
	})
	run := func(b *testing.B, st store.Store) {
		srv, err := New(cfg, Options{Logger: slog.New(slog.NewTextHandler(io.Discard, nil)), Store: st,
			Getenv: func(string) string { return "" }})
		if err != nil {
			b.Fatal(err)
		}
		front := httptest.NewServer(srv.Handler())
		defer front.Close()
		client := &http.Client{}
		b.ReportAllocs()
		for b.Loop() {
			resp, err := client.Post(front.URL+"/v1/chat/completions", "application/json", strings.NewReader(prompt))
			if err != nil {
				b.Fatal(err)
			}
			_, _ = io.Copy(io.Discard, resp.Body)
			resp.Body.Close()
			if resp.StatusCode != http.StatusOK {
				b.Fatalf("status %d", resp.StatusCode)
			}
		}
		b.StopTimer()
		if err := srv.Close(context.Background()); err != nil {
			b.Fatal(err)
		}
	}
	b.Run("storage=off", func(b *testing.B) { run(b, nil) })
	b.Run("storage=discard", func(b *testing.B) {
		// The writer and capture with a store that keeps nothing: the cost
		// of recording on the request path, without the database's.
		st, err := sqlite.Open(context.Background(), filepath.Join(b.TempDir(), "f.db"), sqlite.Options{})
		if err != nil {
			b.Fatal(err)
		}
		defer st.Close()
		run(b, discardStore{st})
	})
	b.Run("storage=sqlite", func(b *testing.B) {
		st, err := sqlite.Open(context.Background(), filepath.Join(b.TempDir(), "f.db"), sqlite.Options{})
		if err != nil {
			b.Fatal(err)
		}
		defer st.Close()
		run(b, st)
	})
	b.Run("storage=postgres", func(b *testing.B) {
		dsn := storetest.PostgresSchema(b, testenv.PostgresDSN(b))
		st, err := postgres.Open(context.Background(), dsn, postgres.Options{})
		if err != nil {
			b.Fatal(err)
		}
		defer st.Close()
		run(b, st)
	})
}

// discardStore accepts inference batches and keeps nothing.
type discardStore struct{ store.Store }

func (discardStore) WriteInferences(context.Context, []store.Inference) error { return nil }
