package simulate

import (
	"bufio"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"strings"
	"sync"
	"testing"
)

// TestConcurrentAnswersStayApart sends many different requests at once,
// streamed and not, so that a buffer shared between requests would mix
// their answers (and the race detector would see it).
func TestConcurrentAnswersStayApart(t *testing.T) {
	t.Parallel()
	h := start(t, Config{Models: []string{"m"}})
	h.client.Transport.(*http.Transport).DisableKeepAlives = false
	const n = 40
	var wg sync.WaitGroup
	errs := make(chan error, n)
	for i := range n {
		wg.Add(1)
		go func() {
			defer wg.Done()
			prompt := fmt.Sprintf("question number %d about %s", i, strings.Repeat("x", i))
			stream := i%2 == 0
			body := fmt.Sprintf(`{"model":"m","stream":%t,"messages":[{"role":"user","content":%q}]}`, stream, prompt)
			want, _ := ChatAnswer(0, Message{"user", prompt})
			resp, err := h.send(context.Background(), "POST", "/v1/chat/completions", body)
			if err != nil {
				errs <- err
				return
			}
			defer resp.Body.Close()
			var got string
			if stream {
				events, err := sseReader{bufio.NewReader(resp.Body)}.readAll()
				if err != nil {
					errs <- err
					return
				}
				for _, e := range events[:len(events)-1] {
					var c chunk
					if err := json.Unmarshal([]byte(e), &c); err != nil {
						errs <- err
						return
					}
					if len(c.Choices) == 1 && c.Choices[0].Delta.Content != nil {
						got += *c.Choices[0].Delta.Content
					}
				}
			} else {
				var c chatCompletion
				if err := json.NewDecoder(resp.Body).Decode(&c); err != nil || len(c.Choices) != 1 {
					errs <- fmt.Errorf("request %d: %v %+v", i, err, c)
					return
				}
				got = c.Choices[0].Message.Content
			}
			if got != want {
				errs <- fmt.Errorf("request %d: got %q, want %q", i, got, want)
			}
		}()
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Error(err)
	}
}

// TestBodyOfUnknownLength reads a chunked request body, and refuses one
// over the limit even when no Content-Length announced it.
func TestBodyOfUnknownLength(t *testing.T) {
	t.Parallel()
	h := start(t, Config{Models: []string{"m"}, MaxBodyBytes: 200})
	post := func(body string) reply {
		t.Helper()
		// A reader that is not a *strings.Reader has no known length, so
		// the client sends it chunked.
		req, err := http.NewRequest("POST", h.url+"/v1/chat/completions", io.MultiReader(strings.NewReader(body)))
		if err != nil {
			t.Fatal(err)
		}
		if req.ContentLength != 0 {
			t.Fatalf("content length %d: want an unknown length", req.ContentLength)
		}
		resp, err := h.client.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		b, _ := io.ReadAll(resp.Body)
		return reply{status: resp.StatusCode, header: resp.Header, body: b}
	}
	if r := post(chatBody); r.status != http.StatusOK {
		t.Errorf("chunked body: %d %s", r.status, r.body)
	}
	long := `{"model":"m","messages":[{"role":"user","content":"` + strings.Repeat("word ", 60) + `"}]}`
	wantError(t, post(long), http.StatusRequestEntityTooLarge, "request_too_large", "200 bytes")
}
