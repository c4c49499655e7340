// Package e2e runs the official OpenAI Go client against `flywheel serve`
// (internal/server) in front of simulated backends (./simulate): the happy
// paths in e2e_test.go; failures in chaos_test.go and refused_test.go; bad
// input in badinput_test.go; limits, graceful shutdown and the backend
// connection pool in limits_test.go and pool_test.go. harness_test.go starts
// the pieces.
package e2e

import (
	"context"
	"fmt"
	"math"
	"net/http"
	"slices"
	"strings"
	"testing"

	"github.com/flywheel-stack/flywheel/simulate"
	"github.com/flywheel-stack/flywheel/telemetry"
	"github.com/openai/openai-go/v3"
	"github.com/openai/openai-go/v3/option"
)

// twoBackends is a local llama.cpp and a remote OpenAI-compatible API: the
// "chat" route prefers local, "embed" has local only.
const twoBackends = `
server: {api_keys_env: KEYS, admin_token_env: ADMIN}
health: {interval: 1h}
backends:
  - name: local
    kind: llamacpp
    url: {local}
  - name: remote
    kind: openai
    url: {remote}
    api_key_env: REMOTE_KEY
routes:
  - name: chat
    targets:
      - {backend: local, model: qwen2.5-coder-7b-instruct}
      - {backend: remote, model: gpt-4o-mini}
  - name: embed
    targets:
      - {backend: local, model: nomic-embed-text}
`

var twoBackendsEnv = map[string]string{"KEYS": "client-key", "ADMIN": "admin-token", "REMOTE_KEY": "sk-remote"}

// startTwoBackends runs the local and remote simulators and the gateway in
// front of them.
func startTwoBackends(t *testing.T) (g *gateway, local, remote *sim) {
	t.Helper()
	local = startSim(t, "127.0.0.1:0", simulate.Config{Models: []string{"qwen2.5-coder-7b-instruct", "nomic-embed-text"}})
	remote = startSim(t, "127.0.0.1:0", simulate.Config{Models: []string{"gpt-4o-mini"}})
	g = startGateway(t, twoBackends, map[string]string{"local": local.url, "remote": remote.url},
		gatewayOptions{env: twoBackendsEnv})
	settle(t, local, remote)
	return g, local, remote
}

func TestChatCompletion(t *testing.T) {
	t.Parallel()
	g, local, remote := startTwoBackends(t)
	c := g.client()
	const prompt = "Write a haiku about circuit breakers."
	var resp *http.Response
	got, err := c.Chat.Completions.New(context.Background(), chatParams("chat", prompt), option.WithResponseInto(&resp))
	if err != nil {
		t.Fatal(err)
	}
	text, tokens := expectedChat(prompt)
	if len(got.Choices) != 1 || got.Choices[0].Message.Content != text || got.Choices[0].FinishReason != "stop" {
		t.Fatalf("choices %+v, want the content %q", got.Choices, text)
	}
	if got.Model != "qwen2.5-coder-7b-instruct" || got.Usage.CompletionTokens != int64(tokens) || got.Usage.PromptTokens == 0 ||
		got.Usage.TotalTokens != got.Usage.PromptTokens+got.Usage.CompletionTokens {
		t.Fatalf("model %q usage %+v, want the local model and %d completion tokens", got.Model, got.Usage, tokens)
	}
	id := resp.Header.Get("X-Flywheel-Inference-Id")
	if resp.Header.Get("X-Flywheel-Backend") != "local" || resp.Header.Get("X-Flywheel-Attempts") != "1" || len(id) != 36 ||
		resp.Header.Get("X-Flywheel-Degraded") != "" {
		t.Fatalf("headers: %s", headersOf(resp))
	}
	ev := g.event(t, 1)
	if ev.InferenceID != id || ev.Status != telemetry.StatusOK || ev.Route != "chat" || ev.Backend != "local" ||
		ev.TokensOut != tokens || ev.TokensIn != int(got.Usage.PromptTokens) || ev.Stream {
		t.Fatalf("telemetry event %+v", ev)
	}
	// The Prometheus sink records before the test's in-memory one.
	labels := `{backend="local",model="qwen2.5-coder-7b-instruct",outcome="ok",route="chat"}`
	if m := g.metric(t, "flywheel_gateway_requests_total"+labels); m != "flywheel_gateway_requests_total"+labels+" 1" {
		t.Fatalf("metrics: %q", m)
	}
	out := `flywheel_gateway_tokens_total{backend="local",direction="out",model="qwen2.5-coder-7b-instruct",route="chat"}`
	if m := g.metric(t, out); m != fmt.Sprint(out, " ", tokens) {
		t.Fatalf("metrics: %q, want %d tokens out", m, tokens)
	}
	if n := remote.Stats().Requests; n != 0 {
		t.Fatalf("the remote saw %d requests while local was up", n)
	}
	if st := local.Stats(); st.ByPath["/v1/chat/completions"] != 1 || st.Completed != 1 {
		t.Fatalf("local stats %+v", st)
	}

	// backend/model addresses one target directly.
	got, err = c.Chat.Completions.New(context.Background(), chatParams("remote/gpt-4o-mini", prompt), option.WithResponseInto(&resp))
	if err != nil {
		t.Fatal(err)
	}
	if got.Model != "gpt-4o-mini" || got.Choices[0].Message.Content != text || resp.Header.Get("X-Flywheel-Backend") != "remote" {
		t.Fatalf("direct target: model %q content %q, %s", got.Model, got.Choices[0].Message.Content, headersOf(resp))
	}
}

func TestChatCompletionStream(t *testing.T) {
	t.Parallel()
	g, _, _ := startTwoBackends(t)
	c := g.client()
	const prompt = "Stream me a story about a flywheel."
	text, tokens := expectedChat(prompt)

	for i, includeUsage := range []bool{false, true} {
		params := chatParams("chat", prompt)
		if includeUsage {
			params.StreamOptions = openai.ChatCompletionStreamOptionsParam{IncludeUsage: openai.Bool(true)}
		}
		var resp *http.Response
		stream := c.Chat.Completions.NewStreaming(context.Background(), params, option.WithResponseInto(&resp))
		var acc openai.ChatCompletionAccumulator
		var content strings.Builder
		chunks, usageChunks := 0, 0
		for stream.Next() {
			chunk := stream.Current()
			acc.AddChunk(chunk)
			chunks++
			if len(chunk.Choices) > 0 {
				content.WriteString(chunk.Choices[0].Delta.Content)
			}
			if chunk.Usage.CompletionTokens > 0 {
				usageChunks++
			}
		}
		if err := stream.Err(); err != nil {
			t.Fatalf("include_usage=%v: stream error %v", includeUsage, err)
		}
		_ = stream.Close()
		if content.String() != text || acc.Choices[0].Message.Content != text || acc.Choices[0].FinishReason != "stop" {
			t.Fatalf("include_usage=%v: streamed %q, want %q", includeUsage, content.String(), text)
		}
		// A role chunk, one chunk per token, the finish chunk, and the
		// usage chunk only when the client asked for it.
		wantChunks, wantUsage := tokens+2, 0
		if includeUsage {
			wantChunks, wantUsage = tokens+3, 1
		}
		if chunks != wantChunks || usageChunks != wantUsage {
			t.Fatalf("include_usage=%v: %d chunks (%d with usage), want %d (%d)", includeUsage, chunks, usageChunks, wantChunks, wantUsage)
		}
		if includeUsage && acc.Usage.CompletionTokens != int64(tokens) {
			t.Fatalf("accumulated usage %+v, want %d completion tokens", acc.Usage, tokens)
		}
		if resp == nil || resp.Header.Get("X-Flywheel-Backend") != "local" || resp.Header.Get("X-Flywheel-Attempts") != "1" ||
			!strings.HasPrefix(resp.Header.Get("Content-Type"), "text/event-stream") {
			t.Fatalf("headers: %s", headersOf(resp))
		}
		// The gateway asks the backend for usage either way, so telemetry
		// has the tokens even when the client did not ask.
		ev := g.event(t, i+1)
		if ev.Status != telemetry.StatusOK || !ev.Stream || ev.TokensOut != tokens || ev.TokensIn == 0 || ev.TimeToFirstToken <= 0 {
			t.Fatalf("include_usage=%v: telemetry event %+v", includeUsage, ev)
		}
	}
}

func TestCompletion(t *testing.T) {
	t.Parallel()
	g, local, _ := startTwoBackends(t)
	c := g.client()
	const prompt = "Once upon a time, a gateway"
	text, tokens := simulate.CompletionAnswer(prompt, 0)
	params := openai.CompletionNewParams{Model: "chat", Prompt: openai.CompletionNewParamsPromptUnion{OfString: openai.String(prompt)}}

	var resp *http.Response
	got, err := c.Completions.New(context.Background(), params, option.WithResponseInto(&resp))
	if err != nil {
		t.Fatal(err)
	}
	if len(got.Choices) != 1 || got.Choices[0].Text != text || got.Usage.CompletionTokens != int64(tokens) ||
		got.Model != "qwen2.5-coder-7b-instruct" || resp.Header.Get("X-Flywheel-Backend") != "local" {
		t.Fatalf("completion %+v, %s; want %q", got, headersOf(resp), text)
	}

	stream := c.Completions.NewStreaming(context.Background(), params)
	var streamed strings.Builder
	for stream.Next() {
		if ch := stream.Current().Choices; len(ch) > 0 {
			streamed.WriteString(ch[0].Text)
		}
	}
	if err := stream.Err(); err != nil {
		t.Fatal(err)
	}
	_ = stream.Close()
	if streamed.String() != text {
		t.Fatalf("streamed completion %q, want %q", streamed.String(), text)
	}
	if n := local.Stats().ByPath["/v1/completions"]; n != 2 {
		t.Fatalf("local saw %d completions, want 2", n)
	}
}

func TestEmbeddings(t *testing.T) {
	t.Parallel()
	g, _, _ := startTwoBackends(t)
	c := g.client()
	inputs := []string{"local first", "remote as fallback"}
	var resp *http.Response
	got, err := c.Embeddings.New(context.Background(), openai.EmbeddingNewParams{
		Model: "embed", Input: openai.EmbeddingNewParamsInputUnion{OfArrayOfStrings: inputs},
	}, option.WithResponseInto(&resp))
	if err != nil {
		t.Fatal(err)
	}
	if len(got.Data) != len(inputs) || got.Model != "nomic-embed-text" || resp.Header.Get("X-Flywheel-Backend") != "local" {
		t.Fatalf("embeddings: %d vectors, model %q, %s", len(got.Data), got.Model, headersOf(resp))
	}
	for i, in := range inputs {
		want := simulate.Embedding(in, simulate.DefaultDimensions)
		v := got.Data[i].Embedding
		if got.Data[i].Index != int64(i) || len(v) != len(want) {
			t.Fatalf("vector %d: index %d, %d dimensions, want %d", i, got.Data[i].Index, len(v), len(want))
		}
		for j := range v {
			if math.Abs(v[j]-float64(want[j])) > 1e-6 {
				t.Fatalf("vector %d[%d] = %v, want %v", i, j, v[j], want[j])
			}
		}
	}
	if got.Usage.PromptTokens == 0 {
		t.Fatalf("usage %+v", got.Usage)
	}
	ev := g.event(t, 1)
	if ev.Status != telemetry.StatusOK || ev.Route != "embed" || ev.Endpoint == "" || ev.Stream {
		t.Fatalf("telemetry event %+v", ev)
	}
}

func TestModelList(t *testing.T) {
	t.Parallel()
	g, _, _ := startTwoBackends(t)
	c := g.client()
	page, err := c.Models.List(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	var ids []string
	for _, m := range page.Data {
		ids = append(ids, m.ID)
		if m.Object != "model" || m.OwnedBy == "" {
			t.Errorf("model %+v: not in OpenAI's shape", m)
		}
	}
	want := []string{"chat", "embed", "local/nomic-embed-text", "local/qwen2.5-coder-7b-instruct", "remote/gpt-4o-mini"}
	if !slices.Equal(ids, want) {
		t.Fatalf("models %v, want %v", ids, want)
	}
	m, err := c.Models.Get(context.Background(), "chat")
	if err != nil || m.ID != "chat" || m.OwnedBy != "flywheel" {
		t.Fatalf("GET /v1/models/chat: %+v %v", m, err)
	}
	// A backend/model target, which the client sends with its slash escaped.
	m, err = c.Models.Get(context.Background(), "local/qwen2.5-coder-7b-instruct")
	if err != nil || m.ID != "local/qwen2.5-coder-7b-instruct" || m.OwnedBy != "local" {
		t.Fatalf("GET /v1/models/local/qwen2.5-coder-7b-instruct: %+v %v", m, err)
	}
	_, err = c.Models.Get(context.Background(), "gpt-5")
	if e := apiError(t, err); e.StatusCode != http.StatusNotFound || e.Code != "model_not_found" {
		t.Fatalf("unknown model: %d %q", e.StatusCode, e.Code)
	}
}
