package simulate

import (
	"bytes"
	"encoding/json"
	"errors"
)

// textStat is what the simulator needs from a piece of prompt text: a hash
// (which seeds the answer) and a token count. It decodes, without copying
// the common case, a JSON string, a number (a token id), null, an array of
// any of those, or a content part object {"type":"text","text":...}.
type textStat struct {
	hash   uint64
	tokens int
	// set reports that the value held text or token ids; number that it
	// was a bare number.
	set, number bool
}

// UnmarshalJSON implements json.Unmarshaler.
func (t *textStat) UnmarshalJSON(b []byte) error {
	*t = textStat{}
	if len(b) == 0 {
		return errors.New("empty value")
	}
	switch b[0] {
	case '"':
		s := b[1 : len(b)-1]
		if bytes.IndexByte(s, '\\') < 0 {
			t.hash, t.tokens = hashText(s), countWords(s)
		} else {
			var str string
			if err := json.Unmarshal(b, &str); err != nil {
				return err
			}
			t.hash, t.tokens = hashText(str), countWords(str)
		}
		t.set = true
	case '[':
		var parts []textStat
		if err := json.Unmarshal(b, &parts); err != nil {
			return err
		}
		*t = combine(parts)
	case '{':
		var part struct {
			Text textStat `json:"text"`
		}
		if err := json.Unmarshal(b, &part); err != nil {
			return err
		}
		*t = part.Text
	case 'n':
	case 't', 'f':
		return errors.New("want text, not a boolean")
	default:
		t.hash, t.tokens, t.set, t.number = hashText(b), 1, true, true
	}
	return nil
}

// combine merges the parts that hold text. A single part keeps its own
// hash, so ["hi"] and [{"type":"text","text":"hi"}] are the same prompt as
// "hi".
func combine(parts []textStat) textStat {
	var out textStat
	n := 0
	for _, p := range parts {
		if !p.set {
			continue
		}
		if n == 0 {
			out.hash = p.hash
		} else {
			out.hash = mix64(out.hash ^ p.hash)
		}
		out.tokens += p.tokens
		n++
	}
	out.set = n > 0
	return out
}

// promptHash accumulates the messages of a chat request.
type promptHash struct{ sum uint64 }

func newPromptHash() promptHash { return promptHash{sum: fnvOffset} }

// message folds in one message's role and content hashes.
func (h *promptHash) message(role, content uint64) {
	h.sum = mix64(h.sum ^ role)
	h.sum = mix64(h.sum + content)
}

const (
	fnvOffset = 14695981039346656037
	fnvPrime  = 1099511628211
)

// hashText is FNV-1a over the bytes of s.
func hashText[T string | []byte](s T) uint64 {
	h := uint64(fnvOffset)
	for i := 0; i < len(s); i++ {
		h ^= uint64(s[i])
		h *= fnvPrime
	}
	return h
}

// countWords counts runs of non-space bytes: the simulator's tokenizer.
func countWords[T string | []byte](s T) int {
	n, in := 0, false
	for i := 0; i < len(s); i++ {
		switch s[i] {
		case ' ', '\t', '\n', '\r', '\v', '\f':
			in = false
		default:
			if !in {
				n++
				in = true
			}
		}
	}
	return n
}

// Message is one chat message, for ChatAnswer.
type Message struct {
	Role, Content string
}

// ChatAnswer returns the text the simulator answers to a chat request with
// these messages (plain string contents) and max_tokens (0: none), and its
// number of completion tokens. Tests of clients and gateways use it to know
// the expected answer.
func ChatAnswer(maxTokens int, messages ...Message) (string, int) {
	h := newPromptHash()
	for _, m := range messages {
		h.message(hashText(m.Role), hashText(m.Content))
	}
	a := newAnswer(h.sum, maxTokens)
	return string(a.appendText(nil)), a.tokens
}

// CompletionAnswer returns the text the simulator answers to a completion
// request with this prompt and max_tokens (0: none), and its number of
// completion tokens.
func CompletionAnswer(prompt string, maxTokens int) (string, int) {
	a := newAnswer(hashText(prompt), maxTokens)
	return string(a.appendText(nil)), a.tokens
}
