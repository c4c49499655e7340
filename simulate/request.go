package simulate

import (
	"encoding/json"
	"errors"
)

// streamOptions is OpenAI's stream_options.
type streamOptions struct {
	IncludeUsage bool `json:"include_usage"`
}

// chatMessage keeps only what seeds the answer and counts tokens.
type chatMessage struct {
	Role    textStat `json:"role"`
	Content textStat `json:"content"`
}

// chatRequest holds the fields of a chat completion request the simulator
// reads; the rest are accepted and ignored.
type chatRequest struct {
	Model               string        `json:"model"`
	Messages            []chatMessage `json:"messages"`
	MaxTokens           int           `json:"max_tokens"`
	MaxCompletionTokens int           `json:"max_completion_tokens"`
	Stream              bool          `json:"stream"`
	StreamOptions       streamOptions `json:"stream_options"`
}

// reset clears r for reuse, keeping the messages' backing array.
func (r *chatRequest) reset() { *r = chatRequest{Messages: r.Messages[:0]} }

// prompt returns the prompt's hash and token count.
func (r *chatRequest) prompt() (hash uint64, tokens int) {
	h := newPromptHash()
	for i := range r.Messages {
		m := &r.Messages[i]
		h.message(m.Role.hash, m.Content.hash)
		tokens += m.Content.tokens
	}
	return h.sum, tokens
}

// maxTokens is max_completion_tokens, or else the older max_tokens.
func (r *chatRequest) maxTokens() int {
	if r.MaxCompletionTokens > 0 {
		return r.MaxCompletionTokens
	}
	return r.MaxTokens
}

// completionRequest holds the fields of a legacy completion request the
// simulator reads.
type completionRequest struct {
	Model         string        `json:"model"`
	Prompt        textStat      `json:"prompt"`
	MaxTokens     int           `json:"max_tokens"`
	Stream        bool          `json:"stream"`
	StreamOptions streamOptions `json:"stream_options"`
}

// embeddingRequest holds the fields of an embeddings request.
type embeddingRequest struct {
	Model          string         `json:"model"`
	Input          embeddingInput `json:"input"`
	Dimensions     int            `json:"dimensions"`
	EncodingFormat string         `json:"encoding_format"`
}

// embeddingInput is "input": a string, an array of strings, an array of
// token ids (one input) or an array of token-id arrays.
type embeddingInput struct {
	items []textStat
	set   bool
}

// UnmarshalJSON implements json.Unmarshaler.
func (in *embeddingInput) UnmarshalJSON(b []byte) error {
	in.items, in.set = in.items[:0], true
	if len(b) > 0 && b[0] == '[' {
		if err := json.Unmarshal(b, &in.items); err != nil {
			return err
		}
		allNumbers := len(in.items) > 0
		for _, it := range in.items {
			allNumbers = allNumbers && it.number
		}
		if allNumbers {
			in.items = append(in.items[:0], combine(in.items))
		}
		return nil
	}
	var t textStat
	if err := t.UnmarshalJSON(b); err != nil {
		return err
	}
	if !t.set {
		return errors.New("input must not be null")
	}
	in.items = append(in.items, t)
	return nil
}
