package simulate

import (
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
)

// benchRequest serves body on path b.N times through ServeHTTP, without
// the network, to measure the simulator's own cost per request.
func benchRequest(b *testing.B, path, body string) {
	srv, err := New(Config{Models: []string{"m"}})
	if err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	b.RunParallel(func(pb *testing.PB) {
		for pb.Next() {
			req := httptest.NewRequest(http.MethodPost, path, strings.NewReader(body))
			w := httptest.NewRecorder()
			srv.ServeHTTP(w, req)
			if w.Code != http.StatusOK {
				b.Fatalf("status %d: %s", w.Code, w.Body)
			}
		}
	})
}

func BenchmarkChat(b *testing.B) {
	benchRequest(b, "/v1/chat/completions", `{"model":"m","max_tokens":16,"messages":[{"role":"user","content":"Write a haiku about gateways."}]}`)
}

func BenchmarkChatStream(b *testing.B) {
	benchRequest(b, "/v1/chat/completions", `{"model":"m","max_tokens":16,"stream":true,"messages":[{"role":"user","content":"Write a haiku about gateways."}]}`)
}

func BenchmarkEmbedding(b *testing.B) {
	benchRequest(b, "/v1/embeddings", `{"model":"m","input":"Write a haiku about gateways."}`)
}
