package writer

import (
	"bufio"
	"bytes"
	"encoding/json"
	"strings"
	"unicode/utf8"

	"github.com/flywheel-stack/flywheel/config"
	"github.com/flywheel-stack/flywheel/store"
)

// redacted replaces each match of a capture.redact pattern.
const redacted = "[REDACTED]"

// capturer applies the capture section to a queued event, on the writer's
// goroutine: off the request path.
type capturer struct {
	cfg config.Capture
}

func newCapturer(cfg config.Capture) capturer { return capturer{cfg: cfg} }

// apply returns the record to store for q. Record has already left out
// the request, and the raw response, that capture does not keep.
func (c capturer) apply(q *queued) store.Inference {
	in := q.inf
	if in.Response == "" && q.rawResponse != nil {
		in.Response = ResponseText(q.rawResponse, q.stream)
	}
	if !c.cfg.Responses {
		in.Response = ""
	}
	in.Request, in.Response = c.redact(in.Request), c.redact(in.Response)
	in.User = clean(c.cfg.StoredUser(in.User))
	in.EpisodeID = clean(in.EpisodeID)
	store.FitInference(&in)
	return in
}

// redact replaces every match of the redact patterns, and makes s valid
// UTF-8 without NUL bytes (which PostgreSQL's text refuses).
func (c capturer) redact(s string) string {
	if s == "" {
		return s
	}
	for _, re := range c.cfg.Redact {
		if re.Regexp == nil {
			continue
		}
		// Every match starts with the pattern's literal prefix (sk- for
		// an API key): without it in s, the regexp need not run.
		if prefix, _ := re.LiteralPrefix(); prefix != "" && !strings.Contains(s, prefix) {
			continue
		}
		s = re.ReplaceAllLiteralString(s, redacted)
	}
	return clean(s)
}

func clean(s string) string {
	if !utf8.ValidString(s) {
		s = strings.ToValidUTF8(s, "\uFFFD")
	}
	if strings.IndexByte(s, 0) >= 0 {
		s = strings.ReplaceAll(s, "\x00", "")
	}
	return s
}

// choice is the part of an OpenAI choice that holds text: a chat message,
// a stream delta, or a completion's text.
type choice struct {
	Index   int `json:"index"`
	Message *struct {
		Content string `json:"content"`
	} `json:"message"`
	Delta *struct {
		Content string `json:"content"`
	} `json:"delta"`
	Text string `json:"text"`
}

type answer struct {
	Choices []choice `json:"choices"`
}

// ResponseText returns the answer text in an OpenAI-compatible response: the
// first choice's message content or completion text, or for a stream the
// concatenation of the first choice's deltas. A body that is not such a
// response (an error, embeddings) gives its raw text for an error, "" for
// embeddings.
func ResponseText(raw []byte, stream bool) string {
	if !stream {
		if text, ok := quickText(raw, false); ok {
			return text
		}
		var a answer
		if err := json.Unmarshal(raw, &a); err != nil {
			return string(raw)
		}
		if len(a.Choices) == 0 {
			if bytes.Contains(raw, []byte(`"error"`)) {
				return string(raw)
			}
			return ""
		}
		return choiceText(a.Choices[0], false)
	}
	var b strings.Builder
	sc := bufio.NewScanner(bytes.NewReader(raw))
	sc.Buffer(make([]byte, 0, 64<<10), len(raw)+1)
	for sc.Scan() {
		data, ok := bytes.CutPrefix(sc.Bytes(), []byte("data:"))
		if !ok {
			continue
		}
		data = bytes.TrimSpace(data)
		if len(data) == 0 || bytes.Equal(data, []byte("[DONE]")) {
			continue
		}
		if text, ok := quickText(data, true); ok {
			b.WriteString(text)
			continue
		}
		var a answer
		if json.Unmarshal(data, &a) != nil {
			continue
		}
		for _, ch := range a.Choices {
			if ch.Index == 0 {
				b.WriteString(choiceText(ch, true))
			}
		}
	}
	return b.String()
}

func choiceText(c choice, stream bool) string {
	switch {
	case stream && c.Delta != nil:
		return c.Delta.Content
	case !stream && c.Message != nil:
		return c.Message.Content
	}
	return c.Text
}
